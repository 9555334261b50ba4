import type { AzureContext } from "../azure/azureContext";
import type { Clock } from "../clock";
import { JitError, isJitError } from "../errors";
import { roleKey } from "../inventory/roleSelection";
import { listActiveAssignmentsAt } from "../inventory/pimReads";
import type { ActiveAssignment, JitRequestRecord } from "../inventory/types";
import { APPROVAL_POLL, type BackoffOptions, pollUntil, PROVISIONING_POLL } from "./backoff";
import { initiateJit, type JitInitiated, jitTimeoutMessage, type JitOpenInput, probeJitOpen } from "./jit";
import { getRoleRequest, statusCategory, type StatusCategory } from "./pim";

/** How long and how often the flow waits. Sleeping uses the local clock; expiries use Azure's. */
export interface FlowTiming {
  clock: Clock;
  random?: () => number;
  /** Undefined: wait for the approver until PIM itself decides (or the user cancels). */
  approvalTimeoutMs?: number;
  roleEffectiveTimeoutMs: number;
  jitOpenTimeoutMs: number;
  approvalBackoff: BackoffOptions;
  provisioningBackoff: BackoffOptions;
}

export const DEFAULT_TIMING: Omit<FlowTiming, "clock"> = {
  roleEffectiveTimeoutMs: 5 * 60_000,
  jitOpenTimeoutMs: 5 * 60_000,
  approvalBackoff: APPROVAL_POLL,
  provisioningBackoff: PROVISIONING_POLL,
};

export interface RequestRef {
  tenantId: string;
  scope: string;
  requestName: string;
}

/**
 * Polls a pending PIM request until an approver (or PIM's own timeout) decides. Resolves with the
 * category of the decision, or "timeout" when `approvalTimeoutMs` passed first.
 */
export async function awaitDecision(ctx: AzureContext, ref: RequestRef, timing: FlowTiming, signal?: AbortSignal): Promise<Exclude<StatusCategory, "pendingApproval"> | "timeout"> {
  const decided = await pollUntil({ clock: timing.clock, backoff: timing.approvalBackoff, timeoutMs: timing.approvalTimeoutMs, random: timing.random, signal }, async () => {
    const status = await getRoleRequest(ctx, ref.tenantId, ref.scope, ref.requestName, signal);
    if (!status) throw new JitError("ActivationFailed", `The PIM request ${ref.requestName} no longer exists (it may have been removed by an administrator). Request access again.`);
    const category = statusCategory(status.status);
    return category === "pendingApproval" ? undefined : category;
  });
  return decided ?? "timeout";
}

/**
 * PIM creates the real role assignment a little after the request is granted (§2.5). Waits until an
 * active instance of the role is visible at `scope`, so JIT is not refused for lack of it.
 */
export async function awaitRoleEffective(ctx: AzureContext, target: { tenantId: string; scope: string; roleDefinitionId: string }, timing: FlowTiming, signal?: AbortSignal): Promise<ActiveAssignment | undefined> {
  const role = roleKey(target.roleDefinitionId);
  return pollUntil({ clock: timing.clock, backoff: timing.provisioningBackoff, timeoutMs: timing.roleEffectiveTimeoutMs, random: timing.random, signal }, async () => {
    const now = ctx.clock.now();
    const active = await listActiveAssignmentsAt(ctx, target.tenantId, target.scope, signal);
    return active.filter((a) => roleKey(a.roleDefinitionId) === role && (a.endsAt === undefined || a.endsAt > now)).sort((a, b) => (b.endsAt ?? Number.MAX_SAFE_INTEGER) - (a.endsAt ?? Number.MAX_SAFE_INTEGER))[0];
  });
}

/**
 * Sends the JIT request, retrying while Azure still refuses it with 403 (RBAC propagation after an
 * activation), within the role-effective budget.
 */
export async function initiateJitWithRetry(ctx: AzureContext, input: JitOpenInput, timing: FlowTiming, signal?: AbortSignal): Promise<JitInitiated> {
  let lastForbidden: unknown;
  const result = await pollUntil({ clock: timing.clock, backoff: timing.provisioningBackoff, timeoutMs: timing.roleEffectiveTimeoutMs, random: timing.random, signal }, async () => {
    try {
      return await initiateJit(ctx, input, signal);
    } catch (e) {
      if (isJitError(e) && e.code === "JitForbidden") {
        lastForbidden = e;
        return undefined;
      }
      throw e;
    }
  });
  if (result) return result;
  throw lastForbidden instanceof Error ? lastForbidden : new JitError("JitForbidden", `Azure kept refusing the JIT request for ${input.vmName}.`);
}

/** Waits until the JIT request is `Initiated` (the NSG rule is in place). */
export async function awaitJitOpen(ctx: AzureContext, input: JitOpenInput, timing: FlowTiming, signal?: AbortSignal): Promise<JitRequestRecord> {
  const open = await pollUntil({ clock: timing.clock, backoff: timing.provisioningBackoff, timeoutMs: timing.jitOpenTimeoutMs, random: timing.random, signal }, () => probeJitOpen(ctx, input, signal));
  if (!open) throw new JitError("Timeout", jitTimeoutMessage(input.vmName, timing.jitOpenTimeoutMs));
  return open;
}
