import { isCancellation } from "../cancellation";
import { getCallerIdentity } from "../azure/azureContext";
import { toJitError } from "../azure/azureErrors";
import { JitError, isJitError } from "../errors";
import type { VmEntry } from "../inventory/loadInventory";
import { listActiveAssignmentsAt } from "../inventory/pimReads";
import { roleKey } from "../inventory/roleSelection";
import { asCancellation, formatTime, tooSoon } from "./accessErrors";
import type { MachineKernel } from "./machineKernel";
import { submitRoleRequest } from "./pim";
import { classifyPimError, type PimFailure } from "./pimErrors";
import { RESUMABLE_STATES } from "./states";
import { deactivationPossibleAt, MIN_ACTIVE_BEFORE_DEACTIVATE_MS } from "./grant";

export interface DeactivationResult {
  vmId: string;
  roleDeactivated: boolean;
  /** Defender for Cloud has no API to close a JIT window early: it stays open until then. */
  jitOpenUntil?: number;
  message: string;
}

/**
 * Refuses a deactivation PIM would refuse: within 5 minutes of the activation (`startsAt`, as read
 * from Azure), naming when it becomes possible. Both the command, before it asks anything, and the
 * flow, on its fresh read, go through here.
 */
export function refuseEarlyDeactivation(startsAt: number | undefined, vmName: string, now: number): void {
  const possibleAt = deactivationPossibleAt(startsAt, now);
  if (possibleAt !== undefined) throw tooSoon(vmName, possibleAt, now);
}

/**
 * Deactivates the role (SelfDeactivate). PIM refuses within 5 minutes of activation: that is a
 * DeactivateTooSoon error naming the time it becomes possible, and nothing changes. The JIT window
 * cannot be closed through the API; the result says until when it stays open.
 */
export async function runDeactivate(k: MachineKernel, vmId: string, vmName: string, vm: VmEntry | undefined, signal?: AbortSignal): Promise<DeactivationResult> {
  const rec = k.store.get(vmId);
  if (rec && RESUMABLE_STATES.includes(rec.state.kind)) {
    throw new JitError("AccessInProgress", `An access request for ${vmName} is still under way (${rec.state.kind}). Cancel it first.`);
  }
  const grant = rec?.grant && (rec.state.kind === "granted" || rec.state.kind === "expired") ? rec.grant : undefined;
  const target = grant
    ? { tenantId: grant.tenantId, scope: grant.roleAssignment.scope, roleDefinitionId: grant.roleAssignment.roleDefinitionId, roleName: grant.roleAssignment.roleName }
    : rec?.request
      ? { tenantId: rec.request.tenantId, scope: rec.request.scope, roleDefinitionId: rec.request.roleDefinitionId, roleName: rec.request.roleName }
      : vm?.activeAssignment
        ? { tenantId: vm.tenantId, scope: vm.activeAssignment.scope, roleDefinitionId: vm.activeAssignment.roleDefinitionId, roleName: vm.activeAssignment.roleName }
        : undefined;
  if (!target) throw new JitError("RoleNotActive", `No active role is known for ${vmName}; there is nothing to deactivate.`);

  // A fresh read: is the role still active, and since when (on Azure's clock)?
  const active = (await listActiveAssignmentsAt(k.ctx, target.tenantId, target.scope, signal)).filter((a) => roleKey(a.roleDefinitionId) === roleKey(target.roleDefinitionId) && (a.endsAt === undefined || a.endsAt > k.ctx.clock.now()))[0];
  const jitOpenUntil = grant && grant.jit.endsAt > k.ctx.clock.now() ? grant.jit.endsAt : undefined;
  if (!active) {
    if (rec && rec.state.kind !== "idle") await k.setState(vmId, vmName, { kind: "deactivating", grant }).then(() => k.setState(vmId, vmName, { kind: "idle" }, { grant: undefined, request: undefined }));
    return { vmId, roleDeactivated: false, jitOpenUntil, message: `The role "${target.roleName ?? ""}" on ${vmName} is no longer active; nothing to deactivate.` };
  }
  if (active.endsAt === undefined || active.assignmentType?.toLowerCase() === "assigned") {
    throw new JitError("RoleNotActive", `"${target.roleName ?? "The role"}" on ${vmName} is a permanent assignment, not a PIM activation; it cannot be deactivated here.`);
  }
  const startedAt = active.startsAt ?? grant?.roleAssignment.startsAt;
  const now = k.ctx.clock.now();
  refuseEarlyDeactivation(startedAt, vmName, now);

  const previous = rec?.state ?? { kind: "idle" };
  await k.setState(vmId, vmName, { kind: "deactivating", grant });
  try {
    const principalId = (await getCallerIdentity(k.ctx, target.tenantId, signal)).principalId;
    const status = await submitRoleRequest(k.ctx, { tenantId: target.tenantId, scope: target.scope, roleDefinitionId: target.roleDefinitionId, principalId, requestType: "SelfDeactivate" }, signal);
    await k.setState(vmId, vmName, { kind: "idle" }, { grant: undefined, request: undefined });
    const jitNote = jitOpenUntil !== undefined ? ` The JIT rule for port ${grant?.jit.port ?? 22} stays in place until ${formatTime(jitOpenUntil)}: Defender for Cloud has no API to close it early (without the role, Bastion refuses new sessions).` : "";
    const message = `Deactivated "${target.roleName ?? "the role"}" on ${vmName}.${jitNote}`;
    await k.audit({ type: "deactivated", vmId, vmName, tenantId: target.tenantId, subscriptionId: grant?.subscriptionId ?? vm?.subscriptionId, roleName: target.roleName, requestName: status.requestName, detail: message });
    return { vmId, roleDeactivated: true, jitOpenUntil, message };
  } catch (e) {
    await k.setState(vmId, vmName, previous.kind === "deactivating" ? { kind: "idle" } : previous).catch(() => undefined);
    if (isCancellation(e)) throw asCancellation(e);
    const failure: PimFailure = classifyPimError(e);
    if (failure.kind === "tooSoon") throw tooSoon(vmName, (startedAt ?? now) + MIN_ACTIVE_BEFORE_DEACTIVATE_MS, now, e);
    throw isJitError(e) ? e : toJitError(e, `deactivate the role on ${vmName}`);
  }
}
