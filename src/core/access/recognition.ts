import { armIdKey } from "../azure/armIds";
import type { Inventory, VmEntry } from "../inventory/loadInventory";
import { SSH_PORT } from "../inventory/jitSelection";
import { type Grant, grantExpiry } from "./grant";
import type { AccessRecord, GrantStore } from "./grantStore";
import { BUSY_STATES, RESUMABLE_STATES } from "./states";

/**
 * Azure is the truth about access. After every inventory load the grant store is reconciled with
 * what Azure says for each VM: an active role assignment schedule instance of the user (whatever
 * created it: this extension, the portal, az, another machine) and an open JIT request for port 22
 * from the Bastion subnet.
 *
 * Any requestor's JIT request counts, not only the user's. The JIT request's `requestor` field is
 * informational (the UPN of whoever called initiate, jitNetworkAccessPolicies.json in
 * Azure/azure-rest-api-specs, specification/security, 2020-01-01); what a request does is open an
 * NSG allow rule from a source prefix to a port for a time (Defender for Cloud's "how JIT works"
 * page). The Bastion's subnet is that source for every user, so a rule opened by a colleague for
 * the Bastion subnet lets our tunnel through exactly as ours would, and Azure RBAC on the role still
 * decides who may open a Bastion session. Counting only our own requests would show "needs access"
 * for a VM that the Bastion can reach, and a new request would revoke the colleague's (statusReason
 * NewerRequestInitiated).
 */

export interface Reconciliation {
  /** Grants found in Azure that the store did not hold (activated outside this window). */
  adopted: Grant[];
  /** Grants whose end moved (extended or shortened outside this window). */
  updated: Grant[];
  /** Grants the store held that Azure no longer shows (deactivated or revoked outside). */
  ended: Grant[];
}

/** The grant Azure shows for a VM right now, or undefined when the role or the JIT window is missing. */
export function grantFromAzure(vm: VmEntry, now: number): Grant | undefined {
  const r = vm.readiness;
  const role = vm.activeAssignment;
  if (r.role.state !== "active" || !role || r.jit.state !== "active" || r.jit.endsAt === undefined || !r.jit.policyId) return undefined;
  if (role.endsAt !== undefined && role.endsAt <= now) return undefined;
  if (r.jit.endsAt <= now || !r.bastion.subnetPrefix) return undefined;
  return {
    vmId: vm.id,
    vmName: vm.name,
    tenantId: vm.tenantId,
    subscriptionId: vm.subscriptionId,
    roleAssignment: { requestName: "", scope: role.scope, roleDefinitionId: role.roleDefinitionId, roleName: role.roleName, startsAt: role.startsAt, endsAt: role.endsAt, reused: true },
    jit: { policyId: r.jit.policyId, requestStart: r.jit.startedAt ?? now, endsAt: r.jit.endsAt, port: SSH_PORT, sourcePrefix: r.bastion.subnetPrefix },
    expiresAt: grantExpiry(role.endsAt, r.jit.endsAt),
    grantedAt: now,
  };
}

/** Whether the inventory could have missed this VM's role or JIT request (a read failed for its tenant or subscription). */
function readsIncomplete(inventory: Pick<Inventory, "partialErrors">, vm: VmEntry): boolean {
  return inventory.partialErrors.some((e) => (e.tenantId !== undefined && e.tenantId.toLowerCase() === vm.tenantId.toLowerCase()) || (e.subscriptionId !== undefined && e.subscriptionId.toLowerCase() === vm.subscriptionId.toLowerCase()));
}

function heldGrant(rec: AccessRecord | undefined): Grant | undefined {
  return rec?.state.kind === "granted" ? rec.state.grant : undefined;
}

/**
 * Brings the store in line with the inventory. `readStartedAt` is Azure's time when the inventory
 * load began: a record changed after it (a flow that finished meanwhile) is newer than what the
 * inventory saw and is left alone, as is every VM with a flow under way or whose reads
 * were incomplete. Records of VMs absent from the inventory (filtered out, not listed) are kept.
 */
export async function reconcileGrants(
  store: GrantStore,
  inventory: Pick<Inventory, "vms" | "partialErrors">,
  now: number,
  readStartedAt: number,
): Promise<Reconciliation> {
  const result: Reconciliation = { adopted: [], updated: [], ended: [] };
  for (const vm of inventory.vms) {
    const rec = store.get(vm.id);
    if (rec && (BUSY_STATES.includes(rec.state.kind) || RESUMABLE_STATES.includes(rec.state.kind))) continue;
    if (rec && rec.updatedAt > readStartedAt) continue;
    const fromAzure = grantFromAzure(vm, now);
    const held = heldGrant(rec);
    if (fromAzure && !held) {
      await store.put({ vmId: vm.id, vmName: vm.name, state: { kind: "granted", grant: fromAzure }, grant: fromAzure, notified: rec?.notified, reactivation: rec?.reactivation, updatedAt: now });
      result.adopted.push(fromAzure);
    } else if (fromAzure && held && rec && (fromAzure.expiresAt !== held.expiresAt || fromAzure.jit.endsAt !== held.jit.endsAt || fromAzure.roleAssignment.endsAt !== held.roleAssignment.endsAt)) {
      // Same access, another end: keep what we know (alias, justification, our request's name).
      const grant: Grant = { ...held, roleAssignment: { ...held.roleAssignment, endsAt: fromAzure.roleAssignment.endsAt, startsAt: fromAzure.roleAssignment.startsAt ?? held.roleAssignment.startsAt }, jit: { ...held.jit, endsAt: fromAzure.jit.endsAt }, expiresAt: fromAzure.expiresAt };
      await store.put({ ...rec, state: { kind: "granted", grant }, grant, updatedAt: now });
      result.updated.push(grant);
    } else if (!fromAzure && held && rec && held.expiresAt > now && !readsIncomplete(inventory, vm)) {
      await store.put({ ...rec, state: { kind: "expired", grant: held }, grant: held, updatedAt: now });
      result.ended.push(held);
    }
  }
  return result;
}

/** The VM ids of a reconciliation whose local credential must go (their access ended in Azure). */
export function endedVmIds(r: Reconciliation): string[] {
  return [...new Set(r.ended.map((g) => armIdKey(g.vmId)))];
}
