import { isCancellation } from "../cancellation";
import { toJitError } from "../azure/azureErrors";
import { describeDuration } from "../azure/isoDuration";
import { JitError, isJitError } from "../errors";
import type { VmEntry } from "../inventory/loadInventory";
import { asCancellation, formatTime } from "./accessErrors";
import { awaitJitOpen, initiateJitWithRetry } from "./flowSteps";
import { type Grant, grantExpiry } from "./grant";
import type { JitOpenInput } from "./jit";
import type { MachineKernel } from "./machineKernel";
import { ask, readPlan } from "./planReading";
import { clampDuration, maxRequestDuration } from "./policyMath";

/**
 * Extends a grant honestly: a new JIT request for the same VM and port (Defender for Cloud then
 * revokes the older one with status reason NewerRequestInitiated), never beyond the role's end.
 * A PIM activation itself cannot be lengthened: SelfExtend is for time-bound assignments an
 * administrator granted, and a second SelfActivate while the role is active is refused with
 * RoleAssignmentExists (azure-facts §1). So when the role is what limits the window, the grant says
 * so (`expiresAt` equals the role's end) and the user may ask for the role to be activated again
 * when it ends (reactivation.ts). On failure the previous grant is kept as it was.
 */
export async function runExtend(k: MachineKernel, vm: VmEntry, signal?: AbortSignal): Promise<Grant> {
  const rec = k.store.get(vm.id);
  if (rec?.state.kind !== "granted") throw new JitError("RoleNotActive", `There is no active access to ${vm.name} to extend. Request access instead.`);
  const old = rec.state.grant;
  await k.setState(vm.id, vm.name, { kind: "extending", grant: old });
  const steps = (index: number, total: number, message: string): void => k.emit(k.mustGet(vm.id), { index, total, message: `${message} (${index}/${total})…` });
  try {
    steps(1, 2, "Reading the access policies");
    const plan = await readPlan(k, vm, signal);
    if (!plan.active) throw new JitError("RoleNotActive", `The role on ${vm.name} is no longer active, so there is nothing to extend. Request access again.`);
    const roleEnd = plan.active.endsAt;
    const now = k.ctx.clock.now();
    if (roleEnd !== undefined && roleEnd - now < 60_000) {
      throw new JitError("RoleNotActive", `The role "${plan.roleName ?? ""}" on ${vm.name} ends at ${formatTime(roleEnd)}, too soon to extend the JIT window. PIM cannot lengthen an activation; request access again once it has ended.`);
    }
    // Only JIT is renewed: no PIM rule applies, so nothing but the duration is asked for.
    const maxMs = maxRequestDuration({ jitMaxMs: plan.jitMaxMs, roleRemainingMs: roleEnd !== undefined ? roleEnd - now : undefined });
    const values = await ask(k, plan, "extend", { justification: false, ticket: false }, false, maxMs, signal);
    const { durationMs, clamped } = clampDuration(values.durationMs, maxMs);
    if (clamped) k.ctx.logger.info(`Extending access to ${vm.name}: ${describeDuration(values.durationMs)} asked, ${describeDuration(durationMs)} possible (the role or the JIT policy ends it).`);
    steps(2, 2, `Renewing JIT access to port ${old.jit.port}`);
    const jitEnd = Math.min(now + durationMs, roleEnd ?? Number.MAX_SAFE_INTEGER);
    const justification = values.justification ?? old.justification;
    const input: JitOpenInput = { tenantId: vm.tenantId, policy: plan.jitPolicy, vmId: vm.id, vmName: vm.name, port: old.jit.port, sourcePrefix: plan.sourcePrefix, endsAt: jitEnd, justification };
    const initiated = await initiateJitWithRetry(k.ctx, input, k.timing, signal);
    const open = await awaitJitOpen(k.ctx, { ...input, endsAt: initiated.endsAt }, k.timing, signal);
    const grant: Grant = {
      ...old,
      roleAssignment: { ...old.roleAssignment, endsAt: roleEnd, startsAt: plan.active.startsAt ?? old.roleAssignment.startsAt },
      jit: { ...old.jit, policyId: plan.jitPolicy.id, requestStart: open.startedAt ?? now, endsAt: open.endsAt, sourcePrefix: plan.sourcePrefix },
      expiresAt: grantExpiry(roleEnd, open.endsAt),
      justification,
    };
    await k.setState(vm.id, vm.name, { kind: "granted", grant }, { grant });
    await k.audit({ type: "accessExtended", vmId: vm.id, vmName: vm.name, tenantId: vm.tenantId, subscriptionId: vm.subscriptionId, roleName: plan.roleName, requestName: old.roleAssignment.requestName, jitPolicyId: plan.jitPolicy.id, port: old.jit.port, sourcePrefix: plan.sourcePrefix, endsAt: new Date(grant.expiresAt).toISOString(), justification: grant.justification, ticket: grant.ticket?.number });
    return grant;
  } catch (e) {
    const err = isCancellation(e) ? asCancellation(e) : isJitError(e) ? e : toJitError(e, `extend access to ${vm.name}`);
    const stillValid = old.expiresAt > k.ctx.clock.now();
    await k.setState(vm.id, vm.name, stillValid ? { kind: "granted", grant: old } : { kind: "expired", grant: old }).catch(() => undefined);
    if (!isCancellation(err)) await k.audit({ type: "elevationFailed", vmId: vm.id, vmName: vm.name, tenantId: vm.tenantId, subscriptionId: vm.subscriptionId, detail: `Extension failed: ${err.message}` });
    throw err;
  }
}

/**
 * True when the role, not the JIT policy, ends this grant (extending cannot go further). JIT windows
 * are whole minutes, so a window cut at the role's end may stop up to a couple of minutes before it.
 */
export function roleLimitsGrant(grant: Grant): boolean {
  return grant.roleAssignment.endsAt !== undefined && grant.expiresAt >= grant.roleAssignment.endsAt - 2 * 60_000;
}
