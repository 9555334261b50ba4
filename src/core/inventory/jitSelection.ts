import { armIdKey } from "../azure/armIds";
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
