import { isCancellation } from "../cancellation";
import { getCallerIdentity } from "../azure/azureContext";
import { toJitError } from "../azure/azureErrors";
import { JitError, isJitError } from "../errors";
import type { VmEntry } from "../inventory/loadInventory";
import type { AccessInputValues } from "./accessInput";
import { activationError, asCancellation, formatTime } from "./accessErrors";
import { awaitDecision, awaitJitOpen, awaitRoleEffective, initiateJitWithRetry } from "./flowSteps";
import { type Grant, grantExpiry } from "./grant";
import type { JitOpenInput } from "./jit";
import type { MachineKernel, Plan } from "./machineKernel";
import { newRequestName, statusCategory, submitRoleRequest } from "./pim";
import { classifyPimError } from "./pimErrors";
import { ask, readPlan } from "./planReading";
import { clampDuration, maxRequestDuration } from "./policyMath";
import { claimsFor, ensureTokenMeets, stepUpWithClaims } from "./stepUpFlow";

/**
 * Extends a grant: a longer role (SelfExtend, with approval when the policy wants it) only when the
 * role would end before the new window, then a new JIT request. On failure the previous grant is
 * kept as it was.
 */
export async function runExtend(k: MachineKernel, vm: VmEntry, signal?: AbortSignal): Promise<Grant> {
  const rec = k.store.get(vm.id);
  if (rec?.state.kind !== "granted") throw new JitError("RoleNotActive", `There is no active access to ${vm.name} to extend. Request access instead.`);
  const old = rec.state.grant;
  await k.setState(vm.id, vm.name, { kind: "extending", grant: old });
  const steps = (index: number, total: number, message: string): void => k.emit(k.mustGet(vm.id), { index, total, message: `${message} (${index}/${total})…` });
  try {
    steps(1, 3, "Reading the access policies");
    const plan = await readPlan(k, vm, signal);
    if (!plan.active) throw new JitError("RoleNotActive", `The role on ${vm.name} is no longer active, so there is nothing to extend. Request access again.`);
    const maxMs = maxRequestDuration({ pimMaxMs: plan.requirements?.maxDurationMs, jitMaxMs: plan.jitMaxMs });
    const values = await ask(k, plan, "extend", { justification: plan.requirements?.justification ?? false, ticket: plan.requirements?.ticket ?? false }, plan.requirements?.approvalForExtension ?? false, maxMs, signal);
    const { durationMs } = clampDuration(values.durationMs, maxMs);
    const now = k.ctx.clock.now();
    const wantedEnd = now + durationMs;
    let roleEnd = plan.active.endsAt;
    let requestName = old.roleAssignment.requestName;
    if (roleEnd !== undefined && roleEnd < wantedEnd - 60_000) {
      steps(2, 3, `Extending role "${plan.roleName ?? ""}"`);
      ({ roleEnd, requestName } = await extendRole(k, vm, plan, values, durationMs, wantedEnd, signal));
    }
    steps(3, 3, `Extending JIT access to port ${old.jit.port}`);
    const jitEnd = Math.min(wantedEnd, roleEnd ?? Number.MAX_SAFE_INTEGER);
    const input: JitOpenInput = { tenantId: vm.tenantId, policy: plan.jitPolicy, vmId: vm.id, vmName: vm.name, port: old.jit.port, sourcePrefix: plan.sourcePrefix, endsAt: jitEnd, justification: values.justification ?? old.justification };
    const initiated = await initiateJitWithRetry(k.ctx, input, k.timing, signal);
    const open = await awaitJitOpen(k.ctx, { ...input, endsAt: initiated.endsAt }, k.timing, signal);
    const grant: Grant = {
      ...old,
      roleAssignment: { ...old.roleAssignment, requestName, endsAt: roleEnd, startsAt: plan.active.startsAt ?? old.roleAssignment.startsAt },
      jit: { ...old.jit, policyId: plan.jitPolicy.id, requestStart: open.startedAt ?? now, endsAt: open.endsAt, sourcePrefix: plan.sourcePrefix },
      expiresAt: grantExpiry(roleEnd, open.endsAt),
      justification: values.justification ?? old.justification,
      ticket: values.ticket ?? old.ticket,
    };
    await k.setState(vm.id, vm.name, { kind: "granted", grant }, { grant });
    await k.audit({ type: "accessExtended", vmId: vm.id, vmName: vm.name, tenantId: vm.tenantId, subscriptionId: vm.subscriptionId, roleName: plan.roleName, requestName, jitPolicyId: plan.jitPolicy.id, port: old.jit.port, sourcePrefix: plan.sourcePrefix, endsAt: new Date(grant.expiresAt).toISOString(), justification: grant.justification, ticket: grant.ticket?.number });
    return grant;
  } catch (e) {
    const err = isCancellation(e) ? asCancellation(e) : isJitError(e) ? e : toJitError(e, `extend access to ${vm.name}`);
    const stillValid = old.expiresAt > k.ctx.clock.now();
    await k.setState(vm.id, vm.name, stillValid ? { kind: "granted", grant: old } : { kind: "expired", grant: old }).catch(() => undefined);
    if (!isCancellation(err)) await k.audit({ type: "elevationFailed", vmId: vm.id, vmName: vm.name, tenantId: vm.tenantId, subscriptionId: vm.subscriptionId, detail: `Extension failed: ${err.message}` });
    throw err;
  }
}

export async function extendRole(k: MachineKernel, vm: VmEntry, plan: Plan, values: AccessInputValues, durationMs: number, wantedEnd: number, signal?: AbortSignal): Promise<{ roleEnd?: number; requestName: string }> {
  const principalId = (await getCallerIdentity(k.ctx, vm.tenantId, signal)).principalId;
  await ensureTokenMeets(k.ctx, vm.tenantId, { mfa: plan.requirements?.mfa, authenticationContext: plan.requirements?.authenticationContext }, `"${plan.roleName ?? "the role"}" on ${vm.name}`, signal);
  const send = (requestName: string) =>
    submitRoleRequest(
      k.ctx,
      { tenantId: vm.tenantId, scope: plan.scope, roleDefinitionId: plan.roleDefinitionId, principalId, requestType: "SelfExtend", requestName, eligibilityScheduleId: plan.eligibilityScheduleId, durationMs, justification: values.justification, ticket: values.ticket, targetRoleAssignmentScheduleId: plan.active?.roleAssignmentScheduleId },
      signal,
    );
  let requestName = newRequestName();
  let status;
  try {
    status = await send(requestName);
  } catch (e) {
    const failure = classifyPimError(e);
    if (failure.kind !== "needsClaims" && !(failure.kind === "needsMfa" && failure.otherRules.length === 0)) throw activationError(e, failure, { roleName: plan.roleName, vmName: vm.name }, "extend");
    const claims = failure.kind === "needsMfa" ? claimsFor({ mfa: true }) : (failure.claims ?? claimsFor({ authenticationContext: plan.requirements?.authenticationContext }));
    if (!claims) throw activationError(e, failure, { roleName: plan.roleName, vmName: vm.name }, "extend");
    await stepUpWithClaims(k.ctx, vm.tenantId, claims, failure.kind === "needsMfa" ? "mfa" : failure.reason, `"${plan.roleName ?? "the role"}" on ${vm.name}`, signal);
    requestName = newRequestName();
    status = await send(requestName);
  }
  const base = { vmId: vm.id, vmName: vm.name, tenantId: vm.tenantId, subscriptionId: vm.subscriptionId, roleName: plan.roleName, justification: values.justification, ticket: values.ticket?.number };
  await k.audit({ type: "elevationRequested", ...base, requestName, durationMinutes: Math.round(durationMs / 60_000), detail: `extension; PIM status ${status.status}` });
  let category = statusCategory(status.status);
  if (category === "pendingApproval") {
    k.emit(k.mustGet(vm.id), { index: 2, total: 3, message: "Waiting for approval of the extension (2/3)…" });
    const decision = await awaitDecision(k.ctx, { tenantId: vm.tenantId, scope: plan.scope, requestName }, k.timing, signal);
    if (decision === "timeout") throw new JitError("ApprovalTimedOut", `No approver decided on the extension for ${vm.name}.`);
    category = decision;
    if (category === "active" || category === "accepted") await k.audit({ type: "elevationApproved", ...base, requestName });
  }
  if (category === "denied") {
    await k.audit({ type: "elevationDenied", ...base, requestName });
    throw new JitError("ApprovalDenied", `The extension of "${plan.roleName ?? "the role"}" for ${vm.name} was denied by an approver. Your current access stays until it expires.`);
  }
  if (category !== "active" && category !== "accepted") throw new JitError("ActivationFailed", `PIM did not extend "${plan.roleName ?? "the role"}" for ${vm.name} (status ${status.status}).`);
  // Wait until the longer assignment is visible, so the new JIT window is not cut short.
  const extended = await awaitRoleEffective(k.ctx, { tenantId: vm.tenantId, scope: plan.scope, roleDefinitionId: plan.roleDefinitionId }, { ...k.timing }, signal);
  const roleEnd = extended?.endsAt;
  if (roleEnd !== undefined && roleEnd < wantedEnd - 5 * 60_000) k.ctx.logger.info(`The role on ${vm.name} was extended only until ${formatTime(roleEnd)}.`);
  return { roleEnd, requestName };
}
