/**
 * The control plane's answer to the Bastion data plane (contracts.ts `BastionAuthority`).
 * Token requests (§1.1, §1.4): form fields, the `aztoken` (signature, ARM audience, expiry on
 * the simulated clock, tenant), SKU and `enableTunneling` (the CLI's gate: Standard/Premium with
 * native client enabled, Developer always), RBAC reads on the Bastion, the VM and its NIC
 * ([DOC-SSH]), and that the VM's VNet is the Bastion's or peered with it (Developer: same VNet).
 * Connections: the VM must be running with something listening on the port (sshd on 22), and the
 * NSG must let the Bastion subnet reach the port: an active JIT request whose source prefix covers
 * the subnet, or a standing rule from the scenario. Status codes are guesses (UNVERIFIED, §1.4).
 */
import { isArmAudience } from "../auth/audiences";
import type { SigningKey } from "../auth/signingKey";
import type { BastionAuthority, BastionTarget, ConnectDecision, TokenDecision } from "../contracts";
import type { JitStore } from "../arm/jit/jitStore";
import { checkToken } from "../arm/armAuth";
import { idKey } from "../util/ids";
import type { BastionModel, VirtualMachineModel } from "../world/model";
import type { Rbac } from "../world/rbac";
import type { World } from "../world/world";
import type { VmFleet } from "./vmFleet";

/**
 * The audience of the `aztoken` Microsoft's client sends: az's `active_directory_resource_id`
 * (azure-cli-core `cloud.py`; azure-cli-extensions `src/bastion/azext_bastion/tunnel.py` sends
 * `get_raw_token()` with its default resource). The simulator's cloud uses the public cloud's value.
 */
export const BASTION_TOKEN_RESOURCE = "https://management.core.windows.net/";

const normAudience = (v: string): string => v.trim().replace(/\/+$/, "").toLowerCase();

export interface AuthorityDeps {
  world: World;
  rbac: Rbac;
  jit: JitStore;
  fleet: VmFleet;
  key: SigningKey;
  now: () => number;
  armOrigin: () => string;
  /** Switch: also accept an `aztoken` for the ARM endpoint's audience (management.azure.com). */
  acceptResourceManagerAudience?: boolean;
}

const SKU_MESSAGE = "Bastion Host SKU must be Standard or Premium and Native Client must be enabled.";

export function createBastionAuthority(d: AuthorityDeps): BastionAuthority {
  const bastionOf = (id: string): BastionModel | undefined => {
    const r = d.world.resource(id);
    return r?.kind === "bastion" ? r : undefined;
  };
  const vnetOfVm = (vm: VirtualMachineModel): string | undefined => {
    const nic = d.world.resource(vm.nicId);
    return nic?.kind === "nic" ? nic.subnetId.replace(/\/subnets\/[^/]+$/i, "") : undefined;
  };
  const sourcePrefix = (b: BastionModel): string => {
    if (b.subnet) return b.subnet.addressPrefix;
    const vnet = d.world.resource(b.vnetId);
    return vnet?.kind === "vnet" ? (vnet.addressPrefixes[0] ?? "0.0.0.0/0") : "0.0.0.0/0";
  };
  const deny = (status: number, message: string): TokenDecision => ({ ok: false, status, message });

  return {
    authorizeTokenRequest(bastionId, form): TokenDecision {
      const bastion = bastionOf(bastionId);
      if (!bastion) return deny(404, "Unknown Bastion host.");
      const protocol = form.get("protocol");
      if (protocol !== "tcptunnel") return deny(400, `Unsupported protocol '${protocol ?? ""}'. Only 'tcptunnel' is supported.`);
      const portText = form.get("workloadHostPort") ?? "";
      const port = Number(portText);
      if (!/^\d+$/.test(portText) || port < 1 || port > 65535) return deny(400, `Invalid workloadHostPort '${portText}'.`);
      const aztoken = form.get("aztoken");
      if (!aztoken) return deny(401, "The 'aztoken' field (an ARM access token) is required.");
      const audienceOk = (aud: string): boolean => normAudience(aud) === normAudience(BASTION_TOKEN_RESOURCE) || (d.acceptResourceManagerAudience === true && isArmAudience(aud, d.armOrigin()));
      const check = checkToken(d.key, aztoken, d.now(), audienceOk, `'${BASTION_TOKEN_RESOURCE}'`);
      if (!check.ok) return deny(401, `The ARM access token was rejected: ${check.message}`);
      const caller = check.caller;
      const nativeClient = bastion.sku === "Developer" || ((bastion.sku === "Standard" || bastion.sku === "Premium") && bastion.enableTunneling);
      if (!nativeClient) return deny(400, SKU_MESSAGE);
      const tenant = d.world.subscription(bastion.subscriptionId)?.tenantId;
      if (tenant?.toLowerCase() !== caller.tenantId.toLowerCase()) return deny(401, "The ARM access token was issued for another tenant than the Bastion's.");
      if (!d.rbac.can(caller, "Microsoft.Network/bastionHosts/read", bastion.id)) {
        return deny(403, `The client '${caller.name}' does not have authorization to perform action 'Microsoft.Network/bastionHosts/read' over scope '${bastion.id}'.`);
      }
      let vm: VirtualMachineModel | undefined;
      const hostname = form.get("hostname");
      if (hostname) {
        if (!bastion.enableIpConnect) return deny(400, "IP-based connection is not enabled on this Bastion host.");
        const nic = d.world.scenario.networkInterfaces.find((n) => n.privateIp === hostname);
        vm = nic ? d.world.vm(nic.vmId) : undefined;
        if (!vm) return deny(404, `No virtual machine with private IP ${hostname} is reachable from this Bastion.`);
      } else {
        const resourceId = form.get("resourceId") ?? "";
        vm = d.world.vm(resourceId);
        if (!vm) return deny(404, `Target resource '${resourceId}' was not found.`);
      }
      for (const [action, scope] of [
        ["Microsoft.Compute/virtualMachines/read", vm.id],
        ["Microsoft.Network/networkInterfaces/read", vm.nicId],
      ] as const) {
        if (!d.rbac.can(caller, action, scope)) return deny(403, `The client '${caller.name}' does not have authorization to perform action '${action}' over scope '${scope}'.`);
      }
      const vmVnet = vnetOfVm(vm);
      const bastionVnet = d.world.resource(bastion.vnetId);
      const reachable =
        vmVnet !== undefined &&
        (idKey(vmVnet) === idKey(bastion.vnetId) || (bastion.sku !== "Developer" && bastionVnet?.kind === "vnet" && bastionVnet.peeringVnetIds.some((p) => idKey(p) === idKey(vmVnet))));
      if (!reachable) return deny(400, `The target virtual machine '${vm.name}' is not in the Bastion's virtual network or a virtual network peered with it.`);
      return { ok: true, target: { vmId: vm.id, port }, principal: caller.name };
    },

    authorizeConnect(bastionId: string, target: BastionTarget): ConnectDecision {
      const bastion = bastionOf(bastionId);
      const vm = d.world.vm(target.vmId);
      if (!bastion || !vm) return { ok: false, reason: "Unknown Bastion or target VM." };
      if (vm.power !== "running") return { ok: false, reason: `The virtual machine '${vm.name}' is not running (${vm.power}).` };
      const prefix = sourcePrefix(bastion);
      if (!d.jit.isOpen(vm.id, target.port, prefix)) {
        return { ok: false, reason: `The network security group of '${vm.name}' does not allow port ${target.port} from the Bastion subnet ${prefix} (no active JIT request covers it).` };
      }
      const running = d.fleet.running(vm.id);
      if (!running || target.port !== 22) return { ok: false, reason: `Connection refused: nothing listens on port ${target.port} of '${vm.name}'.` };
      return { ok: true, host: "127.0.0.1", port: running.port };
    },
  };
}
