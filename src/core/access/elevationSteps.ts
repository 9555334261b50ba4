import { isCancellation } from "../cancellation";
import { describeDuration } from "../azure/isoDuration";
import { type ErrorCode, JitError } from "../errors";
import type { AccessRecord } from "./grantStore";
import { awaitDecision, awaitRoleEffective } from "./flowSteps";
import { cancelRoleRequest, getRoleRequest, newRequestName, type StatusCategory, statusCategory, submitRoleRequest } from "./pim";
import { classifyPimError } from "./pimErrors";
import { activationError } from "./accessErrors";
import { askForMissing, fixableByAsking, learnFromRefusal } from "./learnedPolicy";
import { auditBase, type MachineKernel, mustRequest, type RunContext } from "./machineKernel";
import type { AccessState } from "./states";
import { claimsFor, stepUpAfterRefusal } from "./stepUpFlow";

/** Elevation: the PIM activation, its approval, and waiting for the role to take effect. */

export async function activate(k: MachineKernel, rec: AccessRecord, requestName: string, run: RunContext, signal?: AbortSignal): Promise<void> {
  const req = mustRequest(rec);
  let status = run.resumed ? await getRoleRequest(k.ctx, req.tenantId, req.scope, requestName, signal) : undefined;
  if (!status) {
    try {
      status = await submitRoleRequest(
        k.ctx,
        { tenantId: req.tenantId, scope: req.scope, roleDefinitionId: req.roleDefinitionId, principalId: req.principalId, requestType: "SelfActivate", requestName, eligibilityScheduleId: req.eligibilityScheduleId, durationMs: req.durationMs, justification: req.justification, ticket: req.ticket },
        signal,
      );
    } catch (e) {
      if (isCancellation(e)) throw e;
      const failure = classifyPimError(e);
      if (failure.kind === "needsMfa") learnFromRefusal(k, req, ["MfaRule"]);
      if (failure.kind === "alreadyActive") {
        k.ctx.logger.info(`The role for ${rec.vmName} is already active; reusing it.`);
        await k.setState(rec.vmId, rec.vmName, { kind: "waitingForRole" }, { request: { ...req, requestName: undefined, reusedRole: true } });
        return;
      }
      if ((failure.kind === "needsClaims" || (failure.kind === "needsMfa" && failure.otherRules.length === 0)) && !run.retriedAfterStepUp) {
        run.retriedAfterStepUp = true;
        const claims = failure.kind === "needsMfa" ? undefined : (failure.claims ?? claimsFor({ authenticationContext: req.requires?.authenticationContext }));
        if (failure.kind === "needsClaims" && !claims) throw activationError(e, failure, req);
        await stepUpAfterRefusal(k.ctx, req.tenantId, { claims, reason: failure.kind === "needsMfa" ? "mfa" : failure.reason }, `"${req.roleName ?? "the role"}" on ${req.vmName}`, signal);
        // A fresh request name: the refused one was never created, but names are single-use.
        const next = newRequestName();
        await k.setState(rec.vmId, rec.vmName, { kind: "activatingRole", requestName: next }, { request: { ...req, requestName: next } });
        return;
      }
      if (failure.kind === "policy" && fixableByAsking(failure.rules) && !run.retriedAfterPolicy) {
        // The policy may have been unreadable (or changed): PIM named what is missing; ask once.
        run.retriedAfterPolicy = true;
        const learnt = learnFromRefusal(k, req, failure.rules);
        const retry = await askForMissing(k, req, learnt, run.input ?? k.options.input, signal);
        const next = newRequestName();
        await k.setState(rec.vmId, rec.vmName, { kind: "activatingRole", requestName: next }, { request: { ...retry, requestName: next } });
        return;
      }
      throw activationError(e, failure, req);
    }
    await k.audit({ type: "elevationRequested", ...auditBase(req), requestName, durationMinutes: Math.round(req.durationMs / 60_000), detail: `PIM status ${status.status}` });
  }
  await afterStatus(k, rec, requestName, statusCategory(status.status), status.status);
}

export async function afterStatus(k: MachineKernel, rec: AccessRecord, requestName: string, category: StatusCategory, raw: string): Promise<void> {
  switch (category) {
    case "active":
    case "accepted":
      await k.setState(rec.vmId, rec.vmName, { kind: "waitingForRole", requestName });
      return;
    case "pendingApproval":
      await k.setState(rec.vmId, rec.vmName, { kind: "pendingApproval", requestName, since: k.ctx.clock.now() });
      return;
    default:
      await decisionFailure(k, rec, requestName, category, raw);
  }
}

export async function awaitApproval(k: MachineKernel, rec: AccessRecord, requestName: string, signal?: AbortSignal): Promise<void> {
  const req = mustRequest(rec);
  const decision = await awaitDecision(k.ctx, { tenantId: req.tenantId, scope: req.scope, requestName }, k.timing, signal);
  if (decision === "active" || decision === "accepted") {
    await k.audit({ type: "elevationApproved", ...auditBase(req), requestName });
    await k.setState(rec.vmId, rec.vmName, { kind: "waitingForRole", requestName });
    return;
  }
  if (decision === "timeout") {
    const withdrawn = await cancelRoleRequest(k.ctx, req.tenantId, req.scope, requestName, AbortSignal.timeout(30_000)).catch(() => false);
    const message = `No approver decided on the activation for ${rec.vmName} within ${describeDuration(k.timing.approvalTimeoutMs ?? 0)}${withdrawn ? "; the request was withdrawn" : ""}. Request access again or contact an approver.`;
    await k.setState(rec.vmId, rec.vmName, { kind: "timedOut", message });
    await k.audit({ type: "elevationFailed", ...auditBase(req), requestName, detail: message });
    throw new JitError("ApprovalTimedOut", message);
  }
  await decisionFailure(k, rec, requestName, decision, decision);
}

/** A PIM decision other than "yes": records the terminal state and throws its JitError. */
export async function decisionFailure(k: MachineKernel, rec: AccessRecord, requestName: string, category: StatusCategory, raw: string): Promise<never> {
  const req = mustRequest(rec);
  const role = `"${req.roleName ?? "the role"}"`;
  let code: ErrorCode;
  let message: string;
  let next: AccessState;
  if (category === "denied") {
    code = "ApprovalDenied";
    message = `The activation of ${role} for ${rec.vmName} was denied by an approver. Ask the approver why, or request again with more context.`;
    next = { kind: "denied", message };
    await k.audit({ type: "elevationDenied", ...auditBase(req), requestName, detail: message });
  } else if (category === "timedOut") {
    code = "ApprovalTimedOut";
    message = `The activation request of ${role} for ${rec.vmName} expired before an approver decided. Request access again or contact an approver.`;
    next = { kind: "timedOut", message };
    await k.audit({ type: "elevationFailed", ...auditBase(req), requestName, detail: message });
  } else {
    code = "ActivationFailed";
    message = category === "canceled" ? `The activation request of ${role} for ${rec.vmName} was cancelled (in PIM, by you or an administrator).` : `PIM did not activate ${role} for ${rec.vmName} (status ${raw}). Try again; if it persists, check the request in the Azure portal (PIM → My requests).`;
    next = { kind: "failed", code, message };
    await k.audit({ type: "elevationFailed", ...auditBase(req), requestName, detail: message });
  }
  await k.setState(rec.vmId, rec.vmName, next);
  throw new JitError(code, message, { details: { vm: rec.vmName, requestName } });
}

export async function awaitRole(k: MachineKernel, rec: AccessRecord, signal?: AbortSignal): Promise<void> {
  const req = mustRequest(rec);
  const active = await awaitRoleEffective(k.ctx, { tenantId: req.tenantId, scope: req.scope, roleDefinitionId: req.roleDefinitionId }, k.timing, signal);
  if (!active) {
    throw new JitError("Timeout", `PIM accepted the activation for ${rec.vmName}, but the role did not take effect within ${describeDuration(k.timing.roleEffectiveTimeoutMs)}. It may still do so: refresh the VM list in a minute.`);
  }
  await k.setState(rec.vmId, rec.vmName, { kind: "initiatingJit" }, { request: { ...req, roleStartsAt: active.startsAt, roleEndsAt: active.endsAt } });
}
