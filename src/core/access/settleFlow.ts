import { isCancellation } from "../cancellation";
import { toJitError } from "../azure/azureErrors";
import { errorMessage, isJitError } from "../errors";
import { listActiveAssignmentsAt } from "../inventory/pimReads";
import { roleKey } from "../inventory/roleSelection";
import { asCancellation, formatTime } from "./accessErrors";
import type { AccessRecord, AccessRequestContext } from "./grantStore";
import { auditBase, type MachineKernel, type RunContext, SETTLED } from "./machineKernel";
import { cancelRoleRequest, getRoleRequest, statusCategory } from "./pim";
import type { AccessState } from "./states";

/** How a failed or cancelled request flow ends: the state it records and what it withdraws. */

/** Records the outcome of a failed or cancelled flow; returns the error to rethrow. */
export async function settleFailure(k: MachineKernel, vmId: string, e: unknown, run: RunContext): Promise<Error> {
  const rec = k.store.get(vmId);
  // One kind of cancellation for callers (the SDK throws its own AbortError).
  const err = isCancellation(e) ? asCancellation(e) : isJitError(e) ? e : toJitError(e, `request access to ${rec?.vmName ?? vmId}`);
  if (!rec || SETTLED.includes(rec.state.kind)) return err;
  try {
    if (isCancellation(err)) {
      await settleCancel(k, rec, run);
      return err;
    }
    const code = isJitError(err) ? err.code : "Internal";
    const next: AccessState = code === "Timeout" || code === "ApprovalTimedOut" ? { kind: "timedOut", message: err.message } : { kind: "failed", code, message: err.message };
    await k.setState(rec.vmId, rec.vmName, next);
    if (rec.request) await k.audit({ type: "elevationFailed", ...auditBase(rec.request), requestName: rec.request.requestName, detail: err.message });
  } catch (bookkeeping) {
    k.ctx.logger.error(`Could not record the outcome of the access request for ${rec.vmName}: ${errorMessage(bookkeeping)}`);
  }
  return err;
}

/**
 * Cancellation must not leave anything behind that the user does not know about: a pending PIM
 * request is withdrawn (unless asked to keep it), and a role that is already active is recorded
 * with its end time in the `cancelled` message and the stored request (so it can be deactivated).
 */
export async function settleCancel(k: MachineKernel, rec: AccessRecord, run: RunContext): Promise<void> {
  const s = rec.state;
  const req = rec.request;
  const cleanup = AbortSignal.timeout(30_000);
  let message: string;
  let request = req;
  if (s.kind === "pendingApproval" && run.keepPendingOnCancel && !k.withdrawOnCancel.has(rec.vmId.toLowerCase())) {
    k.ctx.logger.info(`Stopped waiting for approval on ${rec.vmName}; the PIM request stays pending and is resumed later.`);
    k.emit(rec);
    return;
  }
  if (!req || s.kind === "readingPolicy" || s.kind === "awaitingInput") {
    message = "Cancelled before anything was requested.";
  } else if (s.kind === "activatingRole" || s.kind === "pendingApproval") {
    ({ message, request } = await withdraw(k, req, s.requestName, cleanup));
  } else {
    const until = req.roleEndsAt !== undefined ? ` until ${formatTime(req.roleEndsAt)}` : "";
    const jit = s.kind === "waitingForJit" && req.jitEndsAt !== undefined ? ` A JIT request for port ${req.port} was already sent; the port may stay open until ${formatTime(req.jitEndsAt)} (Defender for Cloud cannot close it early).` : "";
    message = `Cancelled. The role "${req.roleName ?? ""}" on ${rec.vmName} stays active${until}; deactivate it if you no longer need it.${jit}`;
  }
  await k.setState(rec.vmId, rec.vmName, { kind: "cancelled", message }, { request });
  if (req) await k.audit({ type: "elevationCancelled", ...auditBase(req), requestName: req.requestName, detail: message });
}

export async function withdraw(k: MachineKernel, req: AccessRequestContext, requestName: string, signal: AbortSignal): Promise<{ message: string; request: AccessRequestContext }> {
  try {
    if (await cancelRoleRequest(k.ctx, req.tenantId, req.scope, requestName, signal)) return { message: "Cancelled: the PIM activation request was withdrawn.", request: req };
    const status = await getRoleRequest(k.ctx, req.tenantId, req.scope, requestName, signal);
    if (!status) return { message: "Cancelled before the PIM request reached Azure; nothing was activated.", request: req };
    const category = statusCategory(status.status);
    if (category !== "active" && category !== "accepted") return { message: `Cancelled; the PIM request ended as ${status.status}.`, request: req };
    const active = (await listActiveAssignmentsAt(k.ctx, req.tenantId, req.scope, signal)).find((a) => roleKey(a.roleDefinitionId) === roleKey(req.roleDefinitionId));
    const request = { ...req, roleStartsAt: active?.startsAt ?? req.roleStartsAt, roleEndsAt: active?.endsAt ?? req.roleEndsAt };
    return {
      message: `Cancelled, but PIM had already activated "${req.roleName ?? "the role"}" on ${req.vmName}${request.roleEndsAt !== undefined ? ` until ${formatTime(request.roleEndsAt)}` : ""}. Deactivate it if you no longer need it (possible 5 minutes after activation).`,
      request,
    };
  } catch (e) {
    return { message: `Cancelled, but the PIM request ${requestName} could not be withdrawn (${errorMessage(e)}). Check it in the Azure portal (PIM → My requests).`, request: req };
  }
}
