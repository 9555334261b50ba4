/**
 * `/_sim/portal/...`: what a user does outside the extension (the Azure portal, az, another
 * machine). Each call goes through the same PIM and JIT rules as the ARM surface, on behalf of the
 * named user, so what it creates is indistinguishable from an activation made elsewhere:
 * - `POST /_sim/portal/activate {upn, vm, hours?, justification?, ticketNumber?}`: SelfActivate of the
 *   user's eligibility that covers the VM (PIM's policy applies: approval leaves it pending).
 * - `POST /_sim/portal/deactivate {upn, vm}`: SelfDeactivate of that role (PIM's 5-minute rule applies).
 * - `POST /_sim/portal/jit {upn, vm, hours?, port?, sourcePrefix?}`: a JIT initiate for the VM's port
 *   (default 22) from `sourcePrefix` (default: the AzureBastionSubnet of a Bastion in the VM's
 *   virtual network or a peered one, as a user of the portal's "Request access" would pick it).
 */
import { randomUUID } from "node:crypto";
import { HttpError } from "../http/errors";
import type { SimRequest } from "../http/request";
import type { Router } from "../http/router";
import type { JitStore } from "../arm/jit/jitStore";
import { roleDefinitionId, type PimStore } from "../arm/pim/pimStore";
import type { Caller } from "../world/rbac";
import type { World } from "../world/world";
import { idKey, scopeCovers } from "../util/ids";
import { isObject } from "../util/caseInsensitive";

export interface PortalDeps {
  world: World;
  pim: PimStore;
  jit: JitStore;
  now: () => number;
}

function body(req: SimRequest): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(req.body.toString("utf8") || "{}");
  } catch {
    throw new HttpError(400, "InvalidJson", "The body is not valid JSON.");
  }
  if (!isObject(v)) throw new HttpError(400, "InvalidJson", "The body must be a JSON object.");
  return v;
}

const text = (v: unknown, name: string, required = true): string | undefined => {
  if (v === undefined && !required) return undefined;
  if (typeof v !== "string" || v.length === 0) throw new HttpError(400, "InvalidField", `${name} must be a non-empty string.`);
  return v;
};

const hoursOf = (v: unknown, fallback: number): number => {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new HttpError(400, "InvalidField", "hours must be a positive number.");
  return v;
};

export function registerPortalControl(r: Router, d: PortalDeps): void {
  const target = (b: Record<string, unknown>): { caller: Caller; vm: NonNullable<ReturnType<World["vm"]>> } => {
    const upn = text(b.upn, "upn")!;
    const vmName = text(b.vm, "vm")!;
    const vm = d.world.vmByName(vmName) ?? d.world.vm(vmName);
    if (!vm) throw new HttpError(404, "VmNotFound", `No VM named '${vmName}'.`);
    const user = d.world.scenario.users.find((u) => u.upn.toLowerCase() === upn.toLowerCase());
    if (!user) throw new HttpError(404, "UserNotFound", `No user '${upn}'.`);
    const tenantId = d.world.subscription(vm.subscriptionId)?.tenantId ?? user.homeTenantId;
    const objectId = user.objectIds.get(tenantId);
    if (!objectId) throw new HttpError(400, "NotInTenant", `${upn} has no account in the VM's tenant.`);
    // The portal signs in interactively with MFA; the authentication context is satisfied there too.
    const caller: Caller = { kind: "user", tenantId, objectId, name: user.upn, appId: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", amr: ["pwd", "mfa"], acrs: ["c1"], cae: true, issuedAt: d.now() };
    return { caller, vm };
  };
  const eligibilityFor = (caller: Caller, vmId: string) => {
    const e = d.pim.eligibilities.find((x) => x.principalId.toLowerCase() === caller.objectId.toLowerCase() && scopeCovers(x.scope, vmId) && d.pim.eligibilityActive(x));
    if (!e) throw new HttpError(404, "EligibilityNotFound", `${caller.name} has no eligibility that covers ${vmId}.`);
    return e;
  };

  r.add("POST", "/_sim/portal/activate", (req) => {
    const b = body(req);
    const { caller, vm } = target(b);
    const e = eligibilityFor(caller, vm.id);
    const hours = hoursOf(b.hours, 1);
    const request = {
      properties: {
        requestType: "SelfActivate",
        principalId: caller.objectId,
        roleDefinitionId: roleDefinitionId(e.scope, e.roleGuid),
        linkedRoleEligibilityScheduleId: e.name,
        justification: text(b.justification, "justification", false) ?? "Activated in the portal",
        ticketInfo: { ticketNumber: text(b.ticketNumber, "ticketNumber", false) ?? "PORTAL-1", ticketSystem: "portal" },
        scheduleInfo: { startDateTime: new Date(d.now()).toISOString(), expiration: { type: "AfterDuration", duration: `PT${Math.round(hours * 60)}M` } },
      },
    };
    const { request: made, status } = d.pim.submit(caller, e.scope, randomUUID(), request, false);
    req.audit.principal = caller.name;
    req.audit.detail = `portal SelfActivate for ${vm.name} → ${status}`;
    return { status: 200, body: { name: made.name, status, scope: e.scope } };
  });

  r.add("POST", "/_sim/portal/deactivate", (req) => {
    const b = body(req);
    const { caller, vm } = target(b);
    const e = eligibilityFor(caller, vm.id);
    const request = { properties: { requestType: "SelfDeactivate", principalId: caller.objectId, roleDefinitionId: roleDefinitionId(e.scope, e.roleGuid) } };
    const { request: made, status } = d.pim.submit(caller, e.scope, randomUUID(), request, false);
    req.audit.principal = caller.name;
    req.audit.detail = `portal SelfDeactivate for ${vm.name} → ${status}`;
    return { status: 200, body: { name: made.name, status } };
  });

  r.add("POST", "/_sim/portal/jit", (req) => {
    const b = body(req);
    const { caller, vm } = target(b);
    const port = b.port === undefined ? 22 : b.port;
    if (typeof port !== "number") throw new HttpError(400, "InvalidField", "port must be a number.");
    const policy = d.jit.policies.find((p) => p.virtualMachines.some((v) => idKey(v.id) === idKey(vm.id)));
    if (!policy) throw new HttpError(404, "PolicyNotFound", `No JIT policy covers ${vm.name}.`);
    const sourcePrefix = text(b.sourcePrefix, "sourcePrefix", false) ?? bastionSubnetPrefix(d.world, vm.nicId);
    if (!sourcePrefix) throw new HttpError(400, "InvalidField", `No Bastion reaches ${vm.name}: give sourcePrefix.`);
    const endTimeUtc = new Date(d.now() + hoursOf(b.hours, 1) * 3600_000).toISOString();
    d.jit.initiate(policy, { virtualMachines: [{ id: vm.id, ports: [{ number: port, allowedSourceAddressPrefix: sourcePrefix, endTimeUtc }] }], justification: "Requested in the portal" }, caller.name);
    req.audit.principal = caller.name;
    req.audit.detail = `portal JIT initiate for ${vm.name}:${port} from ${sourcePrefix}`;
    return { status: 200, body: { vm: vm.name, port, sourcePrefix, endTimeUtc } };
  });
}

/** The AzureBastionSubnet prefix of a Bastion in the NIC's virtual network or a peered one. */
function bastionSubnetPrefix(world: World, nicId: string): string | undefined {
  const s = world.scenario;
  const nic = s.networkInterfaces.find((n) => idKey(n.id) === idKey(nicId));
  const vnet = nic ? s.virtualNetworks.find((v) => v.subnets.some((x) => idKey(x.id) === idKey(nic.subnetId))) : undefined;
  if (!vnet) return undefined;
  const peeredTo = s.virtualNetworks.filter((v) => v.peeringVnetIds.some((x) => idKey(x) === idKey(vnet.id))).map((v) => idKey(v.id));
  const reach = new Set([idKey(vnet.id), ...vnet.peeringVnetIds.map(idKey), ...peeredTo]);
  return s.bastions.find((b) => reach.has(idKey(b.vnetId)) && b.subnet)?.subnet?.addressPrefix;
}
