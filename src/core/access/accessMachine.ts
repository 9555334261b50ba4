import type { Grant } from "./grant";
import type { AccessRecord } from "./grantStore";
import type { VmEntry } from "../inventory/loadInventory";
import { type AccessEvent, stepOf } from "./accessEvents";
import { type DeactivationResult, runDeactivate } from "./deactivateFlow";
import { runExtend } from "./extendFlow";
import { type AccessMachineOptions, MachineKernel, type RunContext } from "./machineKernel";
import { checkPreconditions } from "./preconditions";
import { type ReactivationEvent, ReactivationScheduler } from "./reactivation";
import { driveSettled, type RequestAccessOptions, runRequest } from "./requestFlow";
import { checkExpiry, resumePending, type ResumeOutcome } from "./resumeExpiry";
import { settleCancel } from "./settleFlow";
import { type AccessState, RESUMABLE_STATES } from "./states";

export type { AccessEvent } from "./accessEvents";
export type { AccessMachineOptions } from "./machineKernel";
export type { DeactivationResult } from "./deactivateFlow";
export { MIN_ACTIVE_BEFORE_DEACTIVATE_MS } from "./grant";
export type { RequestAccessOptions } from "./requestFlow";
export type { ResumeOutcome } from "./resumeExpiry";
export type { ReactivationEvent } from "./reactivation";
export { roleLimitsGrant } from "./extendFlow";

/** What the service exposes of "activate again when it ends". */
export type ReactivationControls = Pick<AccessMachine, "reactivateWhenRoleEnds" | "cancelReactivation" | "scheduledReactivation" | "onDidReactivate">;
export { checkPreconditions, stepOf };

/**
 * The access state machine's driver: it performs the effects (PIM, JIT, step-up, user input),
 * moves the state along TRANSITIONS, persists every change in the grant store and announces it.
 * One flow per VM at a time. See ARCHITECTURE.md, "Access state machine". The journey's steps live
 * in their own files; this class is their public face.
 */
export class AccessMachine {
  private readonly k: MachineKernel;
  private readonly reactivations: ReactivationScheduler;

  constructor(options: AccessMachineOptions) {
    const k = (this.k = new MachineKernel(options));
    this.reactivations = new ReactivationScheduler(k, (vm, input) =>
      k.exclusive(vm.id, vm.name, undefined, (s) => runRequest(k, vm, { resumed: false, keepPendingOnCancel: true, retriedAfterStepUp: false, input }, s)),
    );
  }

  /** Stops planned re-activations (the extension is shutting down). */
  dispose(): void {
    this.reactivations.dispose();
  }

  onDidChange(listener: (event: AccessEvent) => void): () => void {
    this.k.listeners.add(listener);
    return () => this.k.listeners.delete(listener);
  }

  state(vmId: string): AccessState {
    return this.k.store.get(vmId)?.state ?? { kind: "idle" };
  }

  record(vmId: string): AccessRecord | undefined {
    return this.k.store.get(vmId);
  }

  /** Grants held now (granted, or being extended or deactivated). */
  grants(): Grant[] {
    return this.k.store.grants();
  }

  /**
   * Requests access to a VM: reads the policies, asks the user for what they require, activates the
   * role in PIM (or reuses an active one), waits for approval and for the role to take effect, then
   * opens JIT for port 22 from the Bastion subnet. Resolves with the grant; rejects with a JitError,
   * or a CancellationError when `signal` aborts (after withdrawing what it can; see `cancel`).
   */
  requestAccess(vm: VmEntry, options: RequestAccessOptions = {}, signal?: AbortSignal): Promise<Grant> {
    const k = this.k;
    const existing = k.store.get(vm.id);
    const run: RunContext = { resumed: false, keepPendingOnCancel: options.keepPendingOnCancel ?? false, retriedAfterStepUp: false };
    if (existing && RESUMABLE_STATES.includes(existing.state.kind) && !k.running.has(vm.id.toLowerCase())) {
      // A flow from an earlier session (waiting for approval...): continue it rather than start a second.
      return k.exclusive(vm.id, vm.name, signal, (s) => driveSettled(k, vm.id, { ...run, resumed: true }, s));
    }
    return k.exclusive(vm.id, vm.name, signal, (s) => runRequest(k, vm, run, s));
  }

  /**
   * Extends a grant with a new JIT window, up to the role's end at most (see extendFlow.ts; PIM
   * cannot lengthen an activation). On failure the previous grant is kept as it was.
   */
  extend(vm: VmEntry, signal?: AbortSignal): Promise<Grant> {
    return this.k.exclusive(vm.id, vm.name, signal, (s) => runExtend(this.k, vm, s));
  }

  /**
   * Plans a new activation of the VM's role right after it ends, with the same answers (see
   * reactivation.ts); the policy is checked again then. Returns when it runs (Azure's clock).
   */
  reactivateWhenRoleEnds(vm: VmEntry): { at: number } {
    return this.reactivations.schedule(vm);
  }

  /** Drops a planned re-activation; false when none was planned. */
  cancelReactivation(vmId: string): boolean {
    return this.reactivations.cancel(vmId);
  }

  /** Re-arms the plans kept in the grant store for these VMs (after a restart; see reactivation.ts). */
  restoreReactivations(vms: readonly VmEntry[]): void {
    this.reactivations.restore(vms);
  }

  scheduledReactivation(vmId: string): { at: number } | undefined {
    return this.reactivations.scheduled(vmId);
  }

  onDidReactivate(listener: (event: ReactivationEvent) => void): () => void {
    return this.reactivations.onDidChange(listener);
  }

  /**
   * Deactivates the role (SelfDeactivate). PIM refuses within 5 minutes of activation: that is a
   * DeactivateTooSoon error naming the time it becomes possible, and nothing changes. The JIT window
   * cannot be closed through the API; the result says until when it stays open.
   */
  deactivate(vm: VmEntry | string, signal?: AbortSignal): Promise<DeactivationResult> {
    const vmId = typeof vm === "string" ? vm : vm.id;
    const rec = this.k.store.get(vmId);
    const vmName = rec?.vmName ?? (typeof vm === "string" ? vmId : vm.name);
    return this.k.exclusive(vmId, vmName, signal, (s) => runDeactivate(this.k, vmId, vmName, typeof vm === "string" ? undefined : vm, s)).then((result) => {
      // The user ended the role: activating it again later is not what they want any more.
      this.reactivations.cancel(vmId);
      return result;
    });
  }

  /**
   * Continues what the store says was under way when the extension stopped: pending approvals,
   * activations and JIT requests; ends flows that only existed in memory; expires due grants.
   * Resolves when every resumed flow has settled (an approval may take a long time).
   */
  resumePending(signal?: AbortSignal): Promise<ResumeOutcome[]> {
    return resumePending(this.k, signal);
  }

  /** Moves grants whose end has passed (on Azure's clock) to `expired`; returns them. */
  checkExpiry(): Promise<Grant[]> {
    return checkExpiry(this.k);
  }

  /**
   * Cancels what is under way for a VM: a running flow is aborted (a pending PIM request is then
   * withdrawn), and a request left pending by an earlier session is withdrawn directly. Resolves
   * when it is done; false when there was nothing to cancel.
   */
  async cancel(vmId: string): Promise<boolean> {
    const k = this.k;
    const key = vmId.toLowerCase();
    const running = k.running.get(key);
    if (running) {
      k.withdrawOnCancel.add(key);
      running.controller.abort();
      await running.promise.catch(() => undefined);
      k.withdrawOnCancel.delete(key);
      return true;
    }
    const rec = k.store.get(vmId);
    if (!rec || !RESUMABLE_STATES.includes(rec.state.kind)) return false;
    await k.exclusive(rec.vmId, rec.vmName, undefined, async () => {
      await settleCancel(k, rec, { resumed: true, keepPendingOnCancel: false, retriedAfterStepUp: false });
    });
    return true;
  }

  /** Records the SSH host alias the connection layer gave this VM's grant (persisted with it). */
  async setAlias(vmId: string, alias: string): Promise<void> {
    const rec = this.k.store.get(vmId);
    if (!rec?.grant) return;
    const grant = { ...rec.grant, alias };
    const state: AccessState = rec.state.kind === "granted" || rec.state.kind === "expired" ? { ...rec.state, grant } : rec.state;
    await this.k.store.put({ ...rec, grant, state, updatedAt: this.k.ctx.clock.now() });
  }
}
