import { anySignal, isCancellation, throwIfAborted } from "../cancellation";
import { type Clock, systemClock } from "../clock";
import { type AzureContext, getCallerIdentity } from "../azure/azureContext";
import { toJitError } from "../azure/azureErrors";
import { describeDuration } from "../azure/isoDuration";
import { type ErrorCode, JitError, errorMessage, isJitError } from "../errors";
import type { AuditEntry, AuditSink } from "../audit/auditRecord";
import { sshRule } from "../inventory/jitSelection";
import type { VmEntry } from "../inventory/loadInventory";
import { listActiveAssignmentsAt, PimPolicyReader } from "../inventory/pimReads";
import { getJitPolicy } from "../inventory/jitReads";
import { roleKey } from "../inventory/roleSelection";
import type { ActiveAssignment, PimRequirements } from "../inventory/types";
import type { AccessInputProvider, AccessInputValues } from "./accessInput";
import { DEFAULT_TIMING, awaitDecision, awaitJitOpen, awaitRoleEffective, type FlowTiming, initiateJitWithRetry } from "./flowSteps";
import { type Grant, grantExpiry } from "./grant";
import type { AccessRecord, AccessRequestContext, GrantStore } from "./grantStore";
import { probeJitOpen, type JitOpenInput } from "./jit";
import { cancelRoleRequest, getRoleRequest, newRequestName, type StatusCategory, statusCategory, submitRoleRequest } from "./pim";
import { classifyPimError, type PimFailure } from "./pimErrors";
import { activationError, asCancellation, formatTime, tooSoon } from "./accessErrors";
import { type AccessEvent, stepOf } from "./accessEvents";
import { checkPreconditions } from "./preconditions";

export type { AccessEvent } from "./accessEvents";
export { checkPreconditions, stepOf };
import { clampDuration, defaultRequestDuration, describeClamp, maxRequestDuration, validateAccessInput } from "./policyMath";
import { type AccessState, canTransition, EPHEMERAL_STATES, RESUMABLE_STATES, type StateKind } from "./states";
import { claimsFor, ensureTokenMeets, stepUpWithClaims } from "./stepUpFlow";

export interface RequestAccessOptions {
  /**
   * When the user cancels while an approver has not decided yet: keep the PIM request pending (it is
   * resumed by `resumePending`, and PIM notifies the approver anyway) instead of withdrawing it.
   */
  keepPendingOnCancel?: boolean;
}

export interface DeactivationResult {
  vmId: string;
  roleDeactivated: boolean;
  /** Defender for Cloud has no API to close a JIT window early: it stays open until then. */
  jitOpenUntil?: number;
  message: string;
}

export interface ResumeOutcome {
  vmId: string;
  vmName: string;
  outcome: "granted" | "failed" | "cancelled" | "expired" | "unchanged";
  grant?: Grant;
  error?: Error;
}

export interface AccessMachineOptions {
  ctx: AzureContext;
  store: GrantStore;
  input: AccessInputProvider;
  audit?: AuditSink;
  /** Clock for waiting between polls (tests inject one); expiries use `ctx.clock` (Azure's time). */
  localClock?: Clock;
  random?: () => number;
  timing?: Partial<Omit<FlowTiming, "clock" | "random">>;
}

/** PIM refuses to deactivate a role within 5 minutes of its activation (§2.6). */
export const MIN_ACTIVE_BEFORE_DEACTIVATE_MS = 5 * 60_000;

const SETTLED: readonly StateKind[] = ["idle", "granted", "denied", "failed", "timedOut", "cancelled", "expired"];

interface RunContext {
  /** Continuing a flow from the store after a restart: Azure may already hold our request. */
  resumed: boolean;
  keepPendingOnCancel: boolean;
  /** One retry after a step-up sign-in, not more. */
  retriedAfterStepUp: boolean;
}

interface Plan {
  vm: VmEntry;
  scope: string;
  roleDefinitionId: string;
  roleName?: string;
  eligibilityScheduleId?: string;
  requirements?: PimRequirements;
  active?: ActiveAssignment;
  jitPolicy: AccessRequestContext["jitPolicy"];
  jitMaxMs?: number;
  sourcePrefix: string;
}

/**
 * The access state machine's driver: it performs the effects (PIM, JIT, step-up, user input),
 * moves the state along TRANSITIONS, persists every change in the grant store and announces it.
 * One flow per VM at a time. See ARCHITECTURE.md, "Access state machine".
 */
export class AccessMachine {
  private readonly listeners = new Set<(event: AccessEvent) => void>();
  private readonly running = new Map<string, { promise: Promise<unknown>; controller: AbortController }>();
  private readonly withdrawOnCancel = new Set<string>();
  private readonly timing: FlowTiming;
  private readonly ctx: AzureContext;
  private readonly store: GrantStore;

  constructor(private readonly options: AccessMachineOptions) {
    this.ctx = options.ctx;
    this.store = options.store;
    this.timing = { ...DEFAULT_TIMING, ...options.timing, clock: options.localClock ?? systemClock, random: options.random };
  }

  onDidChange(listener: (event: AccessEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  state(vmId: string): AccessState {
    return this.store.get(vmId)?.state ?? { kind: "idle" };
  }

  record(vmId: string): AccessRecord | undefined {
    return this.store.get(vmId);
  }

  /** Grants held now (granted, or being extended or deactivated). */
  grants(): Grant[] {
    return this.store.grants();
  }

  // ------------------------------------------------------------------------------------------
  // Request access

  /**
   * Requests access to a VM: reads the policies, asks the user for what they require, activates the
   * role in PIM (or reuses an active one), waits for approval and for the role to take effect, then
   * opens JIT for port 22 from the Bastion subnet. Resolves with the grant; rejects with a JitError,
   * or a CancellationError when `signal` aborts (after withdrawing what it can; see `cancelled`).
   */
  requestAccess(vm: VmEntry, options: RequestAccessOptions = {}, signal?: AbortSignal): Promise<Grant> {
    const existing = this.store.get(vm.id);
    const run: RunContext = { resumed: false, keepPendingOnCancel: options.keepPendingOnCancel ?? false, retriedAfterStepUp: false };
    if (existing && RESUMABLE_STATES.includes(existing.state.kind) && !this.running.has(vm.id.toLowerCase())) {
      // A flow from an earlier session (waiting for approval...): continue it rather than start a second.
      return this.exclusive(vm.id, vm.name, signal, (s) => this.driveSettled(vm.id, { ...run, resumed: true }, s));
    }
    return this.exclusive(vm.id, vm.name, signal, (s) => this.runRequest(vm, run, s));
  }

  private async runRequest(vm: VmEntry, run: RunContext, signal?: AbortSignal): Promise<Grant> {
    checkPreconditions(vm);
    await this.setState(vm.id, vm.name, { kind: "readingPolicy" }, { request: undefined });
    try {
      const plan = await this.readPlan(vm, signal);
      await this.setState(vm.id, vm.name, { kind: "awaitingInput" });
      const now = this.ctx.clock.now();
      const maxMs = maxRequestDuration({ pimMaxMs: plan.active ? undefined : plan.requirements?.maxDurationMs, jitMaxMs: plan.jitMaxMs, roleRemainingMs: plan.active?.endsAt !== undefined ? plan.active.endsAt - now : undefined });
      const needsPim = !plan.active;
      const values = await this.ask(plan, "request", { justification: needsPim && (plan.requirements?.justification ?? false), ticket: needsPim && (plan.requirements?.ticket ?? false) }, needsPim && (plan.requirements?.approval ?? false), maxMs, signal);
      const { durationMs, clamped } = clampDuration(values.durationMs, maxMs);
      if (clamped) this.ctx.logger.info(`Access to ${vm.name}: ${describeClamp(values.durationMs, durationMs)}; using ${describeDuration(durationMs)}.`);
      const principalId = (await getCallerIdentity(this.ctx, vm.tenantId, signal)).principalId;
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
        await this.setState(vm.id, vm.name, { kind: "initiatingJit" }, { request: { ...request, reusedRole: true, roleStartsAt: plan.active.startsAt, roleEndsAt: plan.active.endsAt } });
      } else {
        // Sign in again first when the token cannot satisfy the policy: PIM would refuse anyway.
        await ensureTokenMeets(this.ctx, vm.tenantId, { mfa: plan.requirements?.mfa, authenticationContext: plan.requirements?.authenticationContext }, `"${plan.roleName ?? "the role"}" on ${vm.name}`, signal);
        const requestName = newRequestName();
        await this.setState(vm.id, vm.name, { kind: "activatingRole", requestName }, { request: { ...request, requestName } });
      }
      return await this.drive(vm.id, run, signal);
    } catch (e) {
      throw await this.settleFailure(vm.id, e, run);
    }
  }

  private async driveSettled(vmId: string, run: RunContext, signal?: AbortSignal): Promise<Grant> {
    try {
      return await this.drive(vmId, run, signal);
    } catch (e) {
      throw await this.settleFailure(vmId, e, run);
    }
  }

  /** Runs the flow from the stored state until granted (or a failure). */
  private async drive(vmId: string, run: RunContext, signal?: AbortSignal): Promise<Grant> {
    for (;;) {
      throwIfAborted(signal);
      const rec = this.mustGet(vmId);
      const s = rec.state;
      switch (s.kind) {
        case "activatingRole":
          await this.activate(rec, s.requestName, run, signal);
          break;
        case "pendingApproval":
          await this.awaitApproval(rec, s.requestName, signal);
          break;
        case "waitingForRole":
          await this.awaitRole(rec, signal);
          break;
        case "initiatingJit":
          await this.openJit(rec, run, signal);
          break;
        case "waitingForJit":
          return await this.awaitJit(rec, signal);
        case "granted":
          return s.grant;
        default:
          throw new JitError("Internal", `The access flow for ${rec.vmName} cannot continue from state "${s.kind}".`);
      }
    }
  }

  private async activate(rec: AccessRecord, requestName: string, run: RunContext, signal?: AbortSignal): Promise<void> {
    const req = mustRequest(rec);
    let status = run.resumed ? await getRoleRequest(this.ctx, req.tenantId, req.scope, requestName, signal) : undefined;
    if (!status) {
      try {
        status = await submitRoleRequest(
          this.ctx,
          { tenantId: req.tenantId, scope: req.scope, roleDefinitionId: req.roleDefinitionId, principalId: req.principalId, requestType: "SelfActivate", requestName, eligibilityScheduleId: req.eligibilityScheduleId, durationMs: req.durationMs, justification: req.justification, ticket: req.ticket },
          signal,
        );
      } catch (e) {
        if (isCancellation(e)) throw e;
        const failure = classifyPimError(e);
        if (failure.kind === "alreadyActive") {
          this.ctx.logger.info(`The role for ${rec.vmName} is already active; reusing it.`);
          await this.setState(rec.vmId, rec.vmName, { kind: "waitingForRole" }, { request: { ...req, requestName: undefined, reusedRole: true } });
          return;
        }
        if ((failure.kind === "needsClaims" || (failure.kind === "needsMfa" && failure.otherRules.length === 0)) && !run.retriedAfterStepUp) {
          run.retriedAfterStepUp = true;
          const claims = failure.kind === "needsMfa" ? claimsFor({ mfa: true }) : (failure.claims ?? claimsFor({ authenticationContext: req.requires?.authenticationContext, mfa: req.requires?.mfa }));
          if (!claims) throw activationError(e, failure, req);
          await stepUpWithClaims(this.ctx, req.tenantId, claims, failure.kind === "needsMfa" ? "mfa" : failure.reason, `"${req.roleName ?? "the role"}" on ${req.vmName}`, signal);
          // A fresh request name: the refused one was never created, but names are single-use.
          const next = newRequestName();
          await this.setState(rec.vmId, rec.vmName, { kind: "activatingRole", requestName: next }, { request: { ...req, requestName: next } });
          return;
        }
        throw activationError(e, failure, req);
      }
      await this.audit({ type: "elevationRequested", ...auditBase(req), requestName, durationMinutes: Math.round(req.durationMs / 60_000), detail: `PIM status ${status.status}` });
    }
    await this.afterStatus(rec, requestName, statusCategory(status.status), status.status);
  }

  private async afterStatus(rec: AccessRecord, requestName: string, category: StatusCategory, raw: string): Promise<void> {
    switch (category) {
      case "active":
      case "accepted":
        await this.setState(rec.vmId, rec.vmName, { kind: "waitingForRole", requestName });
        return;
      case "pendingApproval":
        await this.setState(rec.vmId, rec.vmName, { kind: "pendingApproval", requestName, since: this.ctx.clock.now() });
        return;
      default:
        await this.decisionFailure(rec, requestName, category, raw);
    }
  }

  private async awaitApproval(rec: AccessRecord, requestName: string, signal?: AbortSignal): Promise<void> {
    const req = mustRequest(rec);
    const decision = await awaitDecision(this.ctx, { tenantId: req.tenantId, scope: req.scope, requestName }, this.timing, signal);
    if (decision === "active" || decision === "accepted") {
      await this.audit({ type: "elevationApproved", ...auditBase(req), requestName });
      await this.setState(rec.vmId, rec.vmName, { kind: "waitingForRole", requestName });
      return;
    }
    if (decision === "timeout") {
      const withdrawn = await cancelRoleRequest(this.ctx, req.tenantId, req.scope, requestName, AbortSignal.timeout(30_000)).catch(() => false);
      const message = `No approver decided on the activation for ${rec.vmName} within ${describeDuration(this.timing.approvalTimeoutMs ?? 0)}${withdrawn ? "; the request was withdrawn" : ""}. Request access again or contact an approver.`;
      await this.setState(rec.vmId, rec.vmName, { kind: "timedOut", message });
      await this.audit({ type: "elevationFailed", ...auditBase(req), requestName, detail: message });
      throw new JitError("ApprovalTimedOut", message);
    }
    await this.decisionFailure(rec, requestName, decision, decision);
  }

  /** A PIM decision other than "yes": records the terminal state and throws its JitError. */
  private async decisionFailure(rec: AccessRecord, requestName: string, category: StatusCategory, raw: string): Promise<never> {
    const req = mustRequest(rec);
    const role = `"${req.roleName ?? "the role"}"`;
    let code: ErrorCode;
    let message: string;
    let next: AccessState;
    if (category === "denied") {
      code = "ApprovalDenied";
      message = `The activation of ${role} for ${rec.vmName} was denied by an approver. Ask the approver why, or request again with more context.`;
      next = { kind: "denied", message };
      await this.audit({ type: "elevationDenied", ...auditBase(req), requestName, detail: message });
    } else if (category === "timedOut") {
      code = "ApprovalTimedOut";
      message = `The activation request of ${role} for ${rec.vmName} expired before an approver decided. Request access again or contact an approver.`;
      next = { kind: "timedOut", message };
      await this.audit({ type: "elevationFailed", ...auditBase(req), requestName, detail: message });
    } else {
      code = "ActivationFailed";
      message = category === "canceled" ? `The activation request of ${role} for ${rec.vmName} was cancelled (in PIM, by you or an administrator).` : `PIM did not activate ${role} for ${rec.vmName} (status ${raw}). Try again; if it persists, check the request in the Azure portal (PIM → My requests).`;
      next = { kind: "failed", code, message };
      await this.audit({ type: "elevationFailed", ...auditBase(req), requestName, detail: message });
    }
    await this.setState(rec.vmId, rec.vmName, next);
    throw new JitError(code, message, { details: { vm: rec.vmName, requestName } });
  }

  private async awaitRole(rec: AccessRecord, signal?: AbortSignal): Promise<void> {
    const req = mustRequest(rec);
    const active = await awaitRoleEffective(this.ctx, { tenantId: req.tenantId, scope: req.scope, roleDefinitionId: req.roleDefinitionId }, this.timing, signal);
    if (!active) {
      throw new JitError("Timeout", `PIM accepted the activation for ${rec.vmName}, but the role did not take effect within ${describeDuration(this.timing.roleEffectiveTimeoutMs)}. It may still do so: refresh the VM list in a minute.`);
    }
    await this.setState(rec.vmId, rec.vmName, { kind: "initiatingJit" }, { request: { ...req, roleStartsAt: active.startsAt, roleEndsAt: active.endsAt } });
  }

  private jitInput(req: AccessRequestContext, endsAt: number): JitOpenInput {
    return { tenantId: req.tenantId, policy: req.jitPolicy, vmId: req.vmId, vmName: req.vmName, port: req.port, sourcePrefix: req.sourcePrefix, endsAt, justification: req.justification };
  }

  private async openJit(rec: AccessRecord, run: RunContext, signal?: AbortSignal): Promise<void> {
    const req = mustRequest(rec);
    const now = this.ctx.clock.now();
    if (run.resumed && req.jitEndsAt !== undefined) {
      // The request may have been sent just before the restart.
      const open = await probeJitOpen(this.ctx, this.jitInput(req, req.jitEndsAt), signal);
      if (open) {
        await this.setState(rec.vmId, rec.vmName, { kind: "waitingForJit", requestedAt: req.jitStartedAt ?? now });
        return;
      }
    }
    const endsAt = Math.min(now + req.durationMs, req.roleEndsAt ?? Number.MAX_SAFE_INTEGER);
    if (endsAt - now < 60_000) throw new JitError("RoleNotActive", `The role for ${rec.vmName} ends in less than a minute, too soon to open JIT access. Request access again once it has ended.`);
    const initiated = await initiateJitWithRetry(this.ctx, this.jitInput(req, endsAt), this.timing, signal);
    await this.audit({ type: "jitInitiated", ...auditBase(req), jitPolicyId: req.jitPolicy.id, port: req.port, sourcePrefix: req.sourcePrefix, endsAt: new Date(initiated.endsAt).toISOString(), detail: `JIT status ${initiated.status}` });
    await this.setState(rec.vmId, rec.vmName, { kind: "waitingForJit", requestedAt: now }, { request: { ...req, jitStartedAt: initiated.startedAt ?? now, jitEndsAt: initiated.endsAt } });
  }

  private async awaitJit(rec: AccessRecord, signal?: AbortSignal): Promise<Grant> {
    const req = mustRequest(rec);
    const open = await awaitJitOpen(this.ctx, this.jitInput(req, req.jitEndsAt ?? this.ctx.clock.now()), this.timing, signal);
    const grant: Grant = {
      vmId: req.vmId,
      vmName: req.vmName,
      tenantId: req.tenantId,
      subscriptionId: req.subscriptionId,
      roleAssignment: { requestName: req.requestName ?? "", scope: req.scope, roleDefinitionId: req.roleDefinitionId, roleName: req.roleName, startsAt: req.roleStartsAt, endsAt: req.roleEndsAt, reused: req.reusedRole },
      jit: { policyId: req.jitPolicy.id, requestStart: open.startedAt ?? req.jitStartedAt ?? this.ctx.clock.now(), endsAt: open.endsAt, port: req.port, sourcePrefix: req.sourcePrefix },
      expiresAt: grantExpiry(req.roleEndsAt, open.endsAt),
      justification: req.justification,
      ticket: req.ticket,
      grantedAt: this.ctx.clock.now(),
    };
    await this.setState(rec.vmId, rec.vmName, { kind: "granted", grant }, { grant });
    await this.audit({ type: "accessGranted", ...auditBase(req), requestName: req.requestName, jitPolicyId: req.jitPolicy.id, port: req.port, sourcePrefix: req.sourcePrefix, endsAt: new Date(grant.expiresAt).toISOString() });
    return grant;
  }

  /** Records the outcome of a failed or cancelled flow; returns the error to rethrow. */
  private async settleFailure(vmId: string, e: unknown, run: RunContext): Promise<Error> {
    const rec = this.store.get(vmId);
    // One kind of cancellation for callers (the SDK throws its own AbortError).
    const err = isCancellation(e) ? asCancellation(e) : isJitError(e) ? e : toJitError(e, `request access to ${rec?.vmName ?? vmId}`);
    if (!rec || SETTLED.includes(rec.state.kind)) return err;
    try {
      if (isCancellation(err)) {
        await this.settleCancel(rec, run);
        return err;
      }
      const code = isJitError(err) ? err.code : "Internal";
      const next: AccessState = code === "Timeout" || code === "ApprovalTimedOut" ? { kind: "timedOut", message: err.message } : { kind: "failed", code, message: err.message };
      await this.setState(rec.vmId, rec.vmName, next);
      if (rec.request) await this.audit({ type: "elevationFailed", ...auditBase(rec.request), requestName: rec.request.requestName, detail: err.message });
    } catch (bookkeeping) {
      this.ctx.logger.error(`Could not record the outcome of the access request for ${rec.vmName}: ${errorMessage(bookkeeping)}`);
    }
    return err;
  }

  /**
   * Cancellation must not leave anything behind that the user does not know about: a pending PIM
   * request is withdrawn (unless asked to keep it), and a role that is already active is recorded
   * with its end time in the `cancelled` message and the stored request (so it can be deactivated).
   */
  private async settleCancel(rec: AccessRecord, run: RunContext): Promise<void> {
    const s = rec.state;
    const req = rec.request;
    const cleanup = AbortSignal.timeout(30_000);
    let message: string;
    let request = req;
    if (s.kind === "pendingApproval" && run.keepPendingOnCancel && !this.withdrawOnCancel.has(rec.vmId.toLowerCase())) {
      this.ctx.logger.info(`Stopped waiting for approval on ${rec.vmName}; the PIM request stays pending and is resumed later.`);
      this.emit(rec);
      return;
    }
    if (!req || s.kind === "readingPolicy" || s.kind === "awaitingInput") {
      message = "Cancelled before anything was requested.";
    } else if (s.kind === "activatingRole" || s.kind === "pendingApproval") {
      ({ message, request } = await this.withdraw(req, s.requestName, cleanup));
    } else {
      const until = req.roleEndsAt !== undefined ? ` until ${formatTime(req.roleEndsAt)}` : "";
      const jit = s.kind === "waitingForJit" && req.jitEndsAt !== undefined ? ` A JIT request for port ${req.port} was already sent; the port may stay open until ${formatTime(req.jitEndsAt)} (Defender for Cloud cannot close it early).` : "";
      message = `Cancelled. The role "${req.roleName ?? ""}" on ${rec.vmName} stays active${until}; deactivate it if you no longer need it.${jit}`;
    }
    await this.setState(rec.vmId, rec.vmName, { kind: "cancelled", message }, { request });
    if (req) await this.audit({ type: "elevationCancelled", ...auditBase(req), requestName: req.requestName, detail: message });
  }

  private async withdraw(req: AccessRequestContext, requestName: string, signal: AbortSignal): Promise<{ message: string; request: AccessRequestContext }> {
    try {
      if (await cancelRoleRequest(this.ctx, req.tenantId, req.scope, requestName, signal)) return { message: "Cancelled: the PIM activation request was withdrawn.", request: req };
      const status = await getRoleRequest(this.ctx, req.tenantId, req.scope, requestName, signal);
      if (!status) return { message: "Cancelled before the PIM request reached Azure; nothing was activated.", request: req };
      const category = statusCategory(status.status);
      if (category !== "active" && category !== "accepted") return { message: `Cancelled; the PIM request ended as ${status.status}.`, request: req };
      const active = (await listActiveAssignmentsAt(this.ctx, req.tenantId, req.scope, signal)).find((a) => roleKey(a.roleDefinitionId) === roleKey(req.roleDefinitionId));
      const request = { ...req, roleStartsAt: active?.startsAt ?? req.roleStartsAt, roleEndsAt: active?.endsAt ?? req.roleEndsAt };
      return {
        message: `Cancelled, but PIM had already activated "${req.roleName ?? "the role"}" on ${req.vmName}${request.roleEndsAt !== undefined ? ` until ${formatTime(request.roleEndsAt)}` : ""}. Deactivate it if you no longer need it (possible 5 minutes after activation).`,
        request,
      };
    } catch (e) {
      return { message: `Cancelled, but the PIM request ${requestName} could not be withdrawn (${errorMessage(e)}). Check it in the Azure portal (PIM → My requests).`, request: req };
    }
  }

  /** Records the SSH host alias the connection layer gave this VM's grant (persisted with it). */
  async setAlias(vmId: string, alias: string): Promise<void> {
    const rec = this.store.get(vmId);
    if (!rec?.grant) return;
    const grant = { ...rec.grant, alias };
    const state: AccessState = rec.state.kind === "granted" || rec.state.kind === "expired" ? { ...rec.state, grant } : rec.state;
    await this.store.put({ ...rec, grant, state, updatedAt: this.ctx.clock.now() });
  }

  // ------------------------------------------------------------------------------------------
  // Extend

  /**
   * Extends a grant: a longer role (SelfExtend, with approval when the policy wants it) only when the
   * role would end before the new window, then a new JIT request. On failure the previous grant is
   * kept as it was.
   */
  extend(vm: VmEntry, signal?: AbortSignal): Promise<Grant> {
    return this.exclusive(vm.id, vm.name, signal, (s) => this.runExtend(vm, s));
  }

  private async runExtend(vm: VmEntry, signal?: AbortSignal): Promise<Grant> {
    const rec = this.store.get(vm.id);
    if (rec?.state.kind !== "granted") throw new JitError("RoleNotActive", `There is no active access to ${vm.name} to extend. Request access instead.`);
    const old = rec.state.grant;
    await this.setState(vm.id, vm.name, { kind: "extending", grant: old });
    const steps = (index: number, total: number, message: string): void => this.emit(this.mustGet(vm.id), { index, total, message: `${message} (${index}/${total})…` });
    try {
      steps(1, 3, "Reading the access policies");
      const plan = await this.readPlan(vm, signal);
      if (!plan.active) throw new JitError("RoleNotActive", `The role on ${vm.name} is no longer active, so there is nothing to extend. Request access again.`);
      const maxMs = maxRequestDuration({ pimMaxMs: plan.requirements?.maxDurationMs, jitMaxMs: plan.jitMaxMs });
      const values = await this.ask(plan, "extend", { justification: plan.requirements?.justification ?? false, ticket: plan.requirements?.ticket ?? false }, plan.requirements?.approvalForExtension ?? false, maxMs, signal);
      const { durationMs } = clampDuration(values.durationMs, maxMs);
      const now = this.ctx.clock.now();
      const wantedEnd = now + durationMs;
      let roleEnd = plan.active.endsAt;
      let requestName = old.roleAssignment.requestName;
      if (roleEnd !== undefined && roleEnd < wantedEnd - 60_000) {
        steps(2, 3, `Extending role "${plan.roleName ?? ""}"`);
        ({ roleEnd, requestName } = await this.extendRole(vm, plan, values, durationMs, wantedEnd, signal));
      }
      steps(3, 3, `Extending JIT access to port ${old.jit.port}`);
      const jitEnd = Math.min(wantedEnd, roleEnd ?? Number.MAX_SAFE_INTEGER);
      const input: JitOpenInput = { tenantId: vm.tenantId, policy: plan.jitPolicy, vmId: vm.id, vmName: vm.name, port: old.jit.port, sourcePrefix: plan.sourcePrefix, endsAt: jitEnd, justification: values.justification ?? old.justification };
      const initiated = await initiateJitWithRetry(this.ctx, input, this.timing, signal);
      const open = await awaitJitOpen(this.ctx, { ...input, endsAt: initiated.endsAt }, this.timing, signal);
      const grant: Grant = {
        ...old,
        roleAssignment: { ...old.roleAssignment, requestName, endsAt: roleEnd, startsAt: plan.active.startsAt ?? old.roleAssignment.startsAt },
        jit: { ...old.jit, policyId: plan.jitPolicy.id, requestStart: open.startedAt ?? now, endsAt: open.endsAt, sourcePrefix: plan.sourcePrefix },
        expiresAt: grantExpiry(roleEnd, open.endsAt),
        justification: values.justification ?? old.justification,
        ticket: values.ticket ?? old.ticket,
      };
      await this.setState(vm.id, vm.name, { kind: "granted", grant }, { grant });
      await this.audit({ type: "accessExtended", vmId: vm.id, vmName: vm.name, tenantId: vm.tenantId, subscriptionId: vm.subscriptionId, roleName: plan.roleName, requestName, jitPolicyId: plan.jitPolicy.id, port: old.jit.port, sourcePrefix: plan.sourcePrefix, endsAt: new Date(grant.expiresAt).toISOString(), justification: grant.justification, ticket: grant.ticket?.number });
      return grant;
    } catch (e) {
      const err = isCancellation(e) ? asCancellation(e) : isJitError(e) ? e : toJitError(e, `extend access to ${vm.name}`);
      const stillValid = old.expiresAt > this.ctx.clock.now();
      await this.setState(vm.id, vm.name, stillValid ? { kind: "granted", grant: old } : { kind: "expired", grant: old }).catch(() => undefined);
      if (!isCancellation(err)) await this.audit({ type: "elevationFailed", vmId: vm.id, vmName: vm.name, tenantId: vm.tenantId, subscriptionId: vm.subscriptionId, detail: `Extension failed: ${err.message}` });
      throw err;
    }
  }

  private async extendRole(vm: VmEntry, plan: Plan, values: AccessInputValues, durationMs: number, wantedEnd: number, signal?: AbortSignal): Promise<{ roleEnd?: number; requestName: string }> {
    const principalId = (await getCallerIdentity(this.ctx, vm.tenantId, signal)).principalId;
    await ensureTokenMeets(this.ctx, vm.tenantId, { mfa: plan.requirements?.mfa, authenticationContext: plan.requirements?.authenticationContext }, `"${plan.roleName ?? "the role"}" on ${vm.name}`, signal);
    const send = (requestName: string) =>
      submitRoleRequest(
        this.ctx,
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
      await stepUpWithClaims(this.ctx, vm.tenantId, claims, failure.kind === "needsMfa" ? "mfa" : failure.reason, `"${plan.roleName ?? "the role"}" on ${vm.name}`, signal);
      requestName = newRequestName();
      status = await send(requestName);
    }
    const base = { vmId: vm.id, vmName: vm.name, tenantId: vm.tenantId, subscriptionId: vm.subscriptionId, roleName: plan.roleName, justification: values.justification, ticket: values.ticket?.number };
    await this.audit({ type: "elevationRequested", ...base, requestName, durationMinutes: Math.round(durationMs / 60_000), detail: `extension; PIM status ${status.status}` });
    let category = statusCategory(status.status);
    if (category === "pendingApproval") {
      this.emit(this.mustGet(vm.id), { index: 2, total: 3, message: "Waiting for approval of the extension (2/3)…" });
      const decision = await awaitDecision(this.ctx, { tenantId: vm.tenantId, scope: plan.scope, requestName }, this.timing, signal);
      if (decision === "timeout") throw new JitError("ApprovalTimedOut", `No approver decided on the extension for ${vm.name}.`);
      category = decision;
      if (category === "active" || category === "accepted") await this.audit({ type: "elevationApproved", ...base, requestName });
    }
    if (category === "denied") {
      await this.audit({ type: "elevationDenied", ...base, requestName });
      throw new JitError("ApprovalDenied", `The extension of "${plan.roleName ?? "the role"}" for ${vm.name} was denied by an approver. Your current access stays until it expires.`);
    }
    if (category !== "active" && category !== "accepted") throw new JitError("ActivationFailed", `PIM did not extend "${plan.roleName ?? "the role"}" for ${vm.name} (status ${status.status}).`);
    // Wait until the longer assignment is visible, so the new JIT window is not cut short.
    const extended = await awaitRoleEffective(this.ctx, { tenantId: vm.tenantId, scope: plan.scope, roleDefinitionId: plan.roleDefinitionId }, { ...this.timing }, signal);
    const roleEnd = extended?.endsAt;
    if (roleEnd !== undefined && roleEnd < wantedEnd - 5 * 60_000) this.ctx.logger.info(`The role on ${vm.name} was extended only until ${formatTime(roleEnd)}.`);
    return { roleEnd, requestName };
  }

  // ------------------------------------------------------------------------------------------
  // Deactivate

  /**
   * Deactivates the role (SelfDeactivate). PIM refuses within 5 minutes of activation: that is a
   * DeactivateTooSoon error naming the time it becomes possible, and nothing changes. The JIT window
   * cannot be closed through the API; the result says until when it stays open.
   */
  deactivate(vm: VmEntry | string, signal?: AbortSignal): Promise<DeactivationResult> {
    const vmId = typeof vm === "string" ? vm : vm.id;
    const rec = this.store.get(vmId);
    const vmName = rec?.vmName ?? (typeof vm === "string" ? vmId : vm.name);
    return this.exclusive(vmId, vmName, signal, (s) => this.runDeactivate(vmId, vmName, typeof vm === "string" ? undefined : vm, s));
  }

  private async runDeactivate(vmId: string, vmName: string, vm: VmEntry | undefined, signal?: AbortSignal): Promise<DeactivationResult> {
    const rec = this.store.get(vmId);
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
    const active = (await listActiveAssignmentsAt(this.ctx, target.tenantId, target.scope, signal)).filter((a) => roleKey(a.roleDefinitionId) === roleKey(target.roleDefinitionId) && (a.endsAt === undefined || a.endsAt > this.ctx.clock.now()))[0];
    const jitOpenUntil = grant && grant.jit.endsAt > this.ctx.clock.now() ? grant.jit.endsAt : undefined;
    if (!active) {
      if (rec && rec.state.kind !== "idle") await this.setState(vmId, vmName, { kind: "deactivating", grant }).then(() => this.setState(vmId, vmName, { kind: "idle" }, { grant: undefined, request: undefined }));
      return { vmId, roleDeactivated: false, jitOpenUntil, message: `The role "${target.roleName ?? ""}" on ${vmName} is no longer active; nothing to deactivate.` };
    }
    if (active.endsAt === undefined || active.assignmentType?.toLowerCase() === "assigned") {
      throw new JitError("RoleNotActive", `"${target.roleName ?? "The role"}" on ${vmName} is a permanent assignment, not a PIM activation; it cannot be deactivated here.`);
    }
    const startedAt = active.startsAt ?? grant?.roleAssignment.startsAt;
    const now = this.ctx.clock.now();
    if (startedAt !== undefined && now < startedAt + MIN_ACTIVE_BEFORE_DEACTIVATE_MS) throw tooSoon(vmName, startedAt + MIN_ACTIVE_BEFORE_DEACTIVATE_MS, now);

    const previous = rec?.state ?? { kind: "idle" };
    await this.setState(vmId, vmName, { kind: "deactivating", grant });
    try {
      const principalId = (await getCallerIdentity(this.ctx, target.tenantId, signal)).principalId;
      const status = await submitRoleRequest(this.ctx, { tenantId: target.tenantId, scope: target.scope, roleDefinitionId: target.roleDefinitionId, principalId, requestType: "SelfDeactivate" }, signal);
      await this.setState(vmId, vmName, { kind: "idle" }, { grant: undefined, request: undefined });
      const jitNote = jitOpenUntil !== undefined ? ` The JIT rule for port ${grant?.jit.port ?? 22} stays in place until ${formatTime(jitOpenUntil)}: Defender for Cloud has no API to close it early (without the role, Bastion refuses new sessions).` : "";
      const message = `Deactivated "${target.roleName ?? "the role"}" on ${vmName}.${jitNote}`;
      await this.audit({ type: "deactivated", vmId, vmName, tenantId: target.tenantId, subscriptionId: grant?.subscriptionId ?? vm?.subscriptionId, roleName: target.roleName, requestName: status.requestName, detail: message });
      return { vmId, roleDeactivated: true, jitOpenUntil, message };
    } catch (e) {
      await this.setState(vmId, vmName, previous.kind === "deactivating" ? { kind: "idle" } : previous).catch(() => undefined);
      if (isCancellation(e)) throw asCancellation(e);
      const failure: PimFailure = classifyPimError(e);
      if (failure.kind === "tooSoon") throw tooSoon(vmName, (startedAt ?? now) + MIN_ACTIVE_BEFORE_DEACTIVATE_MS, now, e);
      throw isJitError(e) ? e : toJitError(e, `deactivate the role on ${vmName}`);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Restart and expiry

  /**
   * Continues what the store says was under way when the extension stopped: pending approvals,
   * activations and JIT requests; ends flows that only existed in memory; expires due grants.
   * Resolves when every resumed flow has settled (an approval may take a long time).
   */
  async resumePending(signal?: AbortSignal): Promise<ResumeOutcome[]> {
    await this.checkExpiry();
    const jobs = this.store.all().map(async (rec): Promise<ResumeOutcome> => {
      const base = { vmId: rec.vmId, vmName: rec.vmName };
      const kind = rec.state.kind;
      if (EPHEMERAL_STATES.includes(kind)) {
        await this.setState(rec.vmId, rec.vmName, { kind: "cancelled", message: "Interrupted by a restart before anything was requested." });
        return { ...base, outcome: "cancelled" };
      }
      if (kind === "extending" || kind === "deactivating") {
        // Interrupted mid-way: keep what we knew; the next inventory shows Azure's truth.
        if (!rec.grant) {
          await this.setState(rec.vmId, rec.vmName, { kind: "idle" });
          return { ...base, outcome: "unchanged" };
        }
        const valid = rec.grant.expiresAt > this.ctx.clock.now();
        await this.setState(rec.vmId, rec.vmName, valid ? { kind: "granted", grant: rec.grant } : { kind: "expired", grant: rec.grant });
        return { ...base, outcome: valid ? "unchanged" : "expired" };
      }
      if (!RESUMABLE_STATES.includes(kind) || this.running.has(rec.vmId.toLowerCase())) return { ...base, outcome: "unchanged" };
      this.ctx.logger.info(`Resuming the access request for ${rec.vmName} (${kind}).`);
      try {
        const grant = await this.exclusive(rec.vmId, rec.vmName, signal, (s) => this.driveSettled(rec.vmId, { resumed: true, keepPendingOnCancel: true, retriedAfterStepUp: false }, s));
        return { ...base, outcome: "granted", grant };
      } catch (e) {
        return { ...base, outcome: isCancellation(e) ? "cancelled" : "failed", error: e as Error };
      }
    });
    return Promise.all(jobs);
  }

  /** Moves grants whose end has passed (on Azure's clock) to `expired`; returns them. */
  async checkExpiry(): Promise<Grant[]> {
    const now = this.ctx.clock.now();
    const expired: Grant[] = [];
    for (const rec of this.store.all()) {
      if (rec.state.kind !== "granted" || rec.state.grant.expiresAt > now) continue;
      const grant = rec.state.grant;
      expired.push(grant);
      await this.setState(rec.vmId, rec.vmName, { kind: "expired", grant }, { grant });
      await this.audit({ type: "expired", vmId: grant.vmId, vmName: grant.vmName, tenantId: grant.tenantId, subscriptionId: grant.subscriptionId, roleName: grant.roleAssignment.roleName, endsAt: new Date(grant.expiresAt).toISOString() });
    }
    return expired;
  }

  // ------------------------------------------------------------------------------------------
  // Plumbing

  /**
   * Runs one operation per VM at a time. `fn` gets a signal that aborts with the caller's signal or
   * with `cancel(vmId)`.
   */
  private exclusive<T>(vmId: string, vmName: string, signal: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const key = vmId.toLowerCase();
    if (this.running.has(key)) return Promise.reject(new JitError("AccessInProgress", `An access operation for ${vmName} is already in progress. Wait for it to finish or cancel it.`));
    const controller = new AbortController();
    const p = fn(anySignal(signal, controller.signal)).finally(() => this.running.delete(key));
    this.running.set(key, { promise: p, controller });
    return p;
  }

  /**
   * Cancels what is under way for a VM: a running flow is aborted (a pending PIM request is then
   * withdrawn), and a request left pending by an earlier session is withdrawn directly. Resolves
   * when it is done; false when there was nothing to cancel.
   */
  async cancel(vmId: string): Promise<boolean> {
    const key = vmId.toLowerCase();
    const running = this.running.get(key);
    if (running) {
      this.withdrawOnCancel.add(key);
      running.controller.abort();
      await running.promise.catch(() => undefined);
      this.withdrawOnCancel.delete(key);
      return true;
    }
    const rec = this.store.get(vmId);
    if (!rec || !RESUMABLE_STATES.includes(rec.state.kind)) return false;
    await this.exclusive(rec.vmId, rec.vmName, undefined, async () => {
      await this.settleCancel(rec, { resumed: true, keepPendingOnCancel: false, retriedAfterStepUp: false });
    });
    return true;
  }

  private mustGet(vmId: string): AccessRecord {
    const rec = this.store.get(vmId);
    if (!rec) throw new JitError("Internal", `No access record for ${vmId}.`);
    return rec;
  }

  /** Validates the move against TRANSITIONS, persists it, then tells listeners. */
  private async setState(vmId: string, vmName: string, next: AccessState, patch: Partial<Pick<AccessRecord, "request" | "grant">> = {}): Promise<AccessRecord> {
    const current = this.store.get(vmId);
    const from = current?.state.kind ?? "idle";
    if (!canTransition(from, next.kind)) throw new JitError("Internal", `Invalid access state change for ${vmName}: ${from} → ${next.kind}.`);
    const record: AccessRecord = {
      vmId,
      vmName,
      state: next,
      request: "request" in patch ? patch.request : current?.request,
      grant: "grant" in patch ? patch.grant : current?.grant,
      notified: current?.notified,
      updatedAt: this.ctx.clock.now(),
    };
    await this.store.put(record);
    this.emit(record);
    return record;
  }

  private emit(rec: AccessRecord, step = stepOf(rec)): void {
    const event: AccessEvent = { vmId: rec.vmId, vmName: rec.vmName, state: rec.state, step };
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (e) {
        this.ctx.logger.error(`An access event listener failed: ${errorMessage(e)}`);
      }
    }
  }

  private async audit(entry: AuditEntry): Promise<void> {
    if (!this.options.audit) return;
    try {
      await this.options.audit.append(entry);
    } catch (e) {
      this.ctx.logger.error(`Could not write to the access journal: ${errorMessage(e)}`);
    }
  }

  private async ask(plan: Plan, purpose: "request" | "extend", needs: { justification: boolean; ticket: boolean }, approvalRequired: boolean, maxDurationMs: number, signal?: AbortSignal): Promise<AccessInputValues> {
    throwIfAborted(signal);
    const values = await this.options.input(
      { purpose, vmId: plan.vm.id, vmName: plan.vm.name, roleName: plan.roleName, needs, approvalRequired, maxDurationMs, defaultDurationMs: defaultRequestDuration(maxDurationMs) },
      signal,
    );
    throwIfAborted(signal);
    return validateAccessInput(values, needs, plan.vm.name);
  }

  /** Fresh reads before acting: the PIM policy, whether the role is active now, the JIT rule. */
  private async readPlan(vm: VmEntry, signal?: AbortSignal): Promise<Plan> {
    const eligibility = vm.eligibility;
    const roleSource = vm.activeAssignment ?? eligibility;
    if (!roleSource) throw new JitError("NoEligibleRole", `You have no eligible role on ${vm.name}.`);
    const [requirements, active, policy] = await Promise.all([
      eligibility ? this.readRequirements(vm, eligibility.scope, eligibility.roleDefinitionId, signal) : Promise.resolve(undefined),
      this.freshActive(vm, roleSource.scope, roleSource.roleDefinitionId, signal),
      vm.jitPolicy ? getJitPolicy(this.ctx, vm.tenantId, vm.jitPolicy, signal) : Promise.resolve(undefined),
    ]);
    const rules = policy?.vms.find((v) => v.id.toLowerCase() === vm.id.toLowerCase())?.ports;
    if (!policy || !vm.jitPolicy || !rules) throw new JitError("NoJitPolicy", `No Defender for Cloud JIT policy covers ${vm.name} any more. Ask a security administrator to enable JIT VM access for it.`);
    const rule = sshRule(rules);
    if (!rule) throw new JitError("JitPortNotAllowed", `The JIT policy of ${vm.name} does not include port 22. Ask a security administrator to add it.`);
    const sourcePrefix = vm.readiness.bastion.subnetPrefix;
    if (!sourcePrefix) throw new JitError("NoBastion", `The address range of the Bastion subnet for ${vm.name} is unknown, so JIT cannot be opened for it.`);
    const scope = active?.scope ?? eligibility?.scope ?? roleSource.scope;
    return {
      vm,
      scope,
      roleDefinitionId: active?.roleDefinitionId ?? roleSource.roleDefinitionId,
      roleName: roleSource.roleName ?? active?.roleName,
      eligibilityScheduleId: eligibility?.roleEligibilityScheduleId,
      requirements,
      active,
      jitPolicy: { id: policy.id, name: policy.name, subscriptionId: policy.subscriptionId, resourceGroup: policy.resourceGroup, location: policy.location },
      jitMaxMs: rule.maxDurationMs,
      sourcePrefix,
    };
  }

  /**
   * The PIM policy, or undefined when it cannot be read (some tenants restrict policy reads): the
   * request then goes ahead and PIM itself says what is missing.
   */
  private async readRequirements(vm: VmEntry, scope: string, roleDefinitionId: string, signal?: AbortSignal): Promise<PimRequirements | undefined> {
    try {
      return (await new PimPolicyReader(this.ctx, vm.tenantId).get(scope, roleDefinitionId, signal))?.requirements;
    } catch (e) {
      if (isCancellation(e)) throw e;
      this.ctx.logger.warn(`Could not read the PIM policy for ${vm.name} (${errorMessage(e)}); requesting without knowing its rules.`);
      return undefined;
    }
  }

  private async freshActive(vm: VmEntry, scope: string, roleDefinitionId: string, signal?: AbortSignal): Promise<ActiveAssignment | undefined> {
    const now = this.ctx.clock.now();
    const scopes = [...new Set([vm.activeAssignment?.scope, scope].filter((s): s is string => s !== undefined))];
    for (const s of scopes) {
      const found = (await listActiveAssignmentsAt(this.ctx, vm.tenantId, s, signal)).filter((a) => roleKey(a.roleDefinitionId) === roleKey(roleDefinitionId) && (a.endsAt === undefined || a.endsAt > now));
      if (found[0]) return found.sort((a, b) => (b.endsAt ?? Number.MAX_SAFE_INTEGER) - (a.endsAt ?? Number.MAX_SAFE_INTEGER))[0];
    }
    return undefined;
  }
}

function mustRequest(rec: AccessRecord): AccessRequestContext {
  if (!rec.request) throw new JitError("Internal", `The access record for ${rec.vmName} has no request context.`);
  return rec.request;
}

function auditBase(req: AccessRequestContext): Omit<AuditEntry, "type"> {
  return { vmId: req.vmId, vmName: req.vmName, tenantId: req.tenantId, subscriptionId: req.subscriptionId, roleName: req.roleName, justification: req.justification, ticket: req.ticket?.number };
}
