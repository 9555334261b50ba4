import { armIdKey } from "../azure/armIds";
import { JitError } from "../errors";
import { prefixCovers } from "./cidr";
import type { JitPolicyRecord, JitPortRule, JitRequestRecord } from "./types";

export const SSH_PORT = 22;

export interface VmJitPolicy {
  policy: JitPolicyRecord;
  ports: JitPortRule[];
}

/** JIT policies indexed by the VMs they list (one policy per resource group and region, §3). */
export class JitIndex {
  private readonly byVm = new Map<string, VmJitPolicy>();

  constructor(policies: readonly JitPolicyRecord[]) {
    for (const policy of policies) {
      for (const vm of policy.vms) this.byVm.set(armIdKey(vm.id), { policy, ports: vm.ports });
    }
  }

  forVm(vmId: string): VmJitPolicy | undefined {
    return this.byVm.get(armIdKey(vmId));
  }
}

/** The rule for TCP port 22, if the policy has one. */
export function sshRule(ports: readonly JitPortRule[], port = SSH_PORT): JitPortRule | undefined {
  return ports.find((p) => p.number === port && (p.protocol === undefined || p.protocol === "*" || p.protocol.toUpperCase() === "TCP"));
}

/**
 * The open JIT request for `port` on the VM that lets `sourcePrefix` (the Bastion subnet) through,
 * the one ending last. A request opened for the user's own IP does not help a Bastion tunnel.
 */
export function activeJitRequest(policy: JitPolicyRecord, vmId: string, now: number, sourcePrefix: string | undefined, port = SSH_PORT): JitRequestRecord | undefined {
  const key = armIdKey(vmId);
  return policy.requests
    .filter((r) => armIdKey(r.vmId) === key && r.port === port && r.status.toLowerCase() === "initiated" && r.endsAt > now)
    .filter((r) => sourcePrefix === undefined || r.sourcePrefixes.some((p) => prefixCovers(p, sourcePrefix)))
    .sort((a, b) => b.endsAt - a.endsAt)[0];
}

/**
 * The source prefix to request for the Bastion: Azure matches the requested
 * `allowedSourceAddressPrefix` against the port rule's allowed prefixes verbatim, not by containment
 * (a single address inside an allowed /24 was refused: MicrosoftDocs/azure-docs#53026), and `*` in
 * the rule allows any source. So the request names the Bastion subnet prefix exactly, and only when
 * the rule lists that exact prefix or `*`. A rule listing a wider range is not used on purpose: it
 * would have to be requested whole, opening port 22 to far more than the Bastion. Undefined: no
 * request can open the port to the Bastion.
 */
export function jitSourcePrefix(rule: JitPortRule, bastionSubnetPrefix: string | undefined): string | undefined {
  if (!bastionSubnetPrefix) return undefined;
  const wanted = bastionSubnetPrefix.trim();
  const allowed = rule.allowedSourceAddressPrefixes.map((p) => p.trim());
  return allowed.includes("*") || allowed.includes(wanted) ? wanted : undefined;
}

/** What a security administrator must change so that JIT can open port 22 to the Bastion. */
export function jitSourceFix(rule: JitPortRule, bastionSubnetPrefix: string): string {
  const listed = rule.allowedSourceAddressPrefixes.length > 0 ? rule.allowedSourceAddressPrefixes.join(", ") : "no address";
  return `The JIT policy allows port ${rule.number} only from ${listed}, and Azure matches the requested source exactly, so it cannot be opened for the Bastion subnet ${bastionSubnetPrefix}. Ask a security administrator to add ${bastionSubnetPrefix} to the allowed source addresses of the port ${rule.number} rule.`;
}

/**
 * The prefix the access flow must request for `vmName` (the policy read fresh), or a
 * `JitSourceNotAllowed` error with the administrator's fix: called before anything is activated.
 */
export function requireJitSourcePrefix(vmName: string, rule: JitPortRule, bastionSubnetPrefix: string | undefined): string {
  if (!bastionSubnetPrefix) throw new JitError("NoBastion", `The address range of the Bastion subnet for ${vmName} is unknown, so JIT cannot be opened for it.`);
  const prefix = jitSourcePrefix(rule, bastionSubnetPrefix);
  if (!prefix) throw new JitError("JitSourceNotAllowed", `${vmName}: ${jitSourceFix(rule, bastionSubnetPrefix)}`, { details: { allowed: rule.allowedSourceAddressPrefixes.join(", "), bastionSubnetPrefix } });
  return prefix;
}
