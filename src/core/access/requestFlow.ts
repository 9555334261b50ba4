import { throwIfAborted } from "../cancellation";
import { getCallerIdentity } from "../azure/azureContext";
import { describeDuration } from "../azure/isoDuration";
import { JitError } from "../errors";
import type { VmEntry } from "../inventory/loadInventory";
import type { Grant } from "./grant";
import type { AccessRequestContext } from "./grantStore";
import { newRequestName } from "./pim";
import { activate, awaitApproval, awaitRole } from "./elevationSteps";
import { awaitJit, openJit } from "./jitSteps";
import type { MachineKernel, RunContext } from "./machineKernel";
import { ask, readPlan } from "./planReading";
import { clampDuration, describeClamp, maxRequestDuration } from "./policyMath";
import { checkPreconditions } from "./preconditions";
import { settleFailure } from "./settleFlow";
import { ensureTokenMeets } from "./stepUpFlow";

/** The request journey: plan, elevate (PIM), JIT, granted; driven from the stored state. */

export interface RequestAccessOptions {
  /**
   * When the user cancels while an approver has not decided yet: keep the PIM request pending (it is
   * resumed by `resumePending`, and PIM notifies the approver anyway) instead of withdrawing it.
   */
  keepPendingOnCancel?: boolean;
}

export async function runRequest(k: MachineKernel, vm: VmEntry, run: RunContext, signal?: AbortSignal): Promise<Grant> {
  checkPreconditions(vm);
  await k.setState(vm.id, vm.name, { kind: "readingPolicy" }, { request: undefined });
  try {
    const plan = await readPlan(k, vm, signal);
    await k.setState(vm.id, vm.name, { kind: "awaitingInput" });
    const now = k.ctx.clock.now();
    const maxMs = maxRequestDuration({ pimMaxMs: plan.active ? undefined : plan.requirements?.maxDurationMs, jitMaxMs: plan.jitMaxMs, roleRemainingMs: plan.active?.endsAt !== undefined ? plan.active.endsAt - now : undefined });
    const needsPim = !plan.active;
    const values = await ask(k, plan, "request", { justification: needsPim && (plan.requirements?.justification ?? false), ticket: needsPim && (plan.requirements?.ticket ?? false) }, needsPim && (plan.requirements?.approval ?? false), maxMs, signal, run.input);
    const { durationMs, clamped } = clampDuration(values.durationMs, maxMs);
    if (clamped) k.ctx.logger.info(`Access to ${vm.name}: ${describeClamp(values.durationMs, durationMs)}; using ${describeDuration(durationMs)}.`);
    const principalId = (await getCallerIdentity(k.ctx, vm.tenantId, signal)).principalId;
    const request: AccessRequestContext = {
      purpose: "request",
      vmId: vm.id,
      vmName: vm.name,
      tenantId: vm.tenantId,
      subscriptionId: vm.subscriptionId,
      scope: plan.scope,
      roleDefinitionId: plan.roleDefinitionId,
      roleName: plan.roleName,
      eligibilityScheduleId: plan.eligibilityScheduleId,
      principalId,
      durationMs,
      justification: values.justification,
      ticket: values.ticket,
      jitPolicy: plan.jitPolicy,
      port: 22,
      sourcePrefix: plan.sourcePrefix,
      requires: { mfa: plan.requirements?.mfa, authenticationContext: plan.requirements?.authenticationContext },
      startedAt: now,
    };
    if (plan.active) {
      await k.setState(vm.id, vm.name, { kind: "initiatingJit" }, { request: { ...request, reusedRole: true, roleStartsAt: plan.active.startsAt, roleEndsAt: plan.active.endsAt } });
    } else {
      // Sign in again first when the token cannot satisfy the policy: PIM would refuse anyway.
      await ensureTokenMeets(k.ctx, vm.tenantId, { mfa: plan.requirements?.mfa, authenticationContext: plan.requirements?.authenticationContext }, `"${plan.roleName ?? "the role"}" on ${vm.name}`, signal);
      const requestName = newRequestName();
      await k.setState(vm.id, vm.name, { kind: "activatingRole", requestName }, { request: { ...request, requestName } });
    }
    return await drive(k, vm.id, run, signal);
  } catch (e) {
    throw await settleFailure(k, vm.id, e, run);
  }
}

export async function driveSettled(k: MachineKernel, vmId: string, run: RunContext, signal?: AbortSignal): Promise<Grant> {
  try {
    return await drive(k, vmId, run, signal);
  } catch (e) {
    throw await settleFailure(k, vmId, e, run);
  }
}

/** Runs the flow from the stored state until granted (or a failure). */
export async function drive(k: MachineKernel, vmId: string, run: RunContext, signal?: AbortSignal): Promise<Grant> {
  for (;;) {
    throwIfAborted(signal);
    const rec = k.mustGet(vmId);
    const s = rec.state;
    switch (s.kind) {
      case "activatingRole":
        await activate(k, rec, s.requestName, run, signal);
        break;
      case "pendingApproval":
        await awaitApproval(k, rec, s.requestName, signal);
        break;
      case "waitingForRole":
        await awaitRole(k, rec, signal);
        break;
      case "initiatingJit":
        await openJit(k, rec, run, signal);
        break;
      case "waitingForJit":
        return await awaitJit(k, rec, signal);
      case "granted":
        return s.grant;
      default:
        throw new JitError("Internal", `The access flow for ${rec.vmName} cannot continue from state "${s.kind}".`);
    }
  }
}
