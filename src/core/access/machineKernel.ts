import { anySignal } from "../cancellation";
import { type Clock, systemClock } from "../clock";
import type { AzureContext } from "../azure/azureContext";
import { JitError, errorMessage } from "../errors";
import type { AuditEntry, AuditSink } from "../audit/auditRecord";
import type { VmEntry } from "../inventory/loadInventory";
import type { PimPolicyCache } from "../inventory/pimPolicyCache";
import type { ActiveAssignment, PimRequirements } from "../inventory/types";
import type { AccessInputProvider } from "./accessInput";
import { type AccessEvent, stepOf } from "./accessEvents";
import { DEFAULT_TIMING, type FlowTiming } from "./flowSteps";
import type { AccessRecord, AccessRequestContext, GrantStore } from "./grantStore";
import { type AccessState, canTransition, type StateKind } from "./states";

/**
 * What every step of the access journey shares: the Azure context, the grant store, timing, the
 * listeners, the one-flow-per-VM lock, and the one way to change a VM's state (checked against
 * TRANSITIONS, persisted, announced). The steps themselves live in their own files (plan, elevate,
 * JIT, settle, extend, deactivate, resume/expiry); `AccessMachine` is the public face.
 */

export interface AccessMachineOptions {
  ctx: AzureContext;
  store: GrantStore;
  input: AccessInputProvider;
  audit?: AuditSink;
  /** Clock for waiting between polls (tests inject one); expiries use `ctx.clock` (Azure's time). */
  localClock?: Clock;
  random?: () => number;
  timing?: Partial<Omit<FlowTiming, "clock" | "random">>;
  /** The inventory's policy cache: rules learnt from PIM's refusals are written there too. */
  policyCache?: PimPolicyCache;
}

export const SETTLED: readonly StateKind[] = ["idle", "granted", "denied", "failed", "timedOut", "cancelled", "expired"];

export interface RunContext {
  /** Continuing a flow from the store after a restart: Azure may already hold our request. */
  resumed: boolean;
  keepPendingOnCancel: boolean;
  /** One retry after a step-up sign-in, not more. */
  retriedAfterStepUp: boolean;
  /** One retry after asking for what a policy refusal named, not more. */
  retriedAfterPolicy?: boolean;
  /** Answers given in advance (a scheduled re-activation) instead of asking the user. */
  input?: AccessInputProvider;
}

/** What the fresh reads before acting found (see planReading.ts). */
export interface Plan {
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

export class MachineKernel {
  readonly listeners = new Set<(event: AccessEvent) => void>();
  readonly running = new Map<string, { promise: Promise<unknown>; controller: AbortController }>();
  readonly withdrawOnCancel = new Set<string>();
  /** Policy rules learnt from PIM's refusals, per tenant|scope|role (learnedPolicy.ts). */
  readonly learnedPolicies = new Map<string, PimRequirements>();
  /** Expiry checks run one after the other (see resumeExpiry.ts). */
  expiryQueue: Promise<void> = Promise.resolve();
  readonly timing: FlowTiming;
  readonly ctx: AzureContext;
  readonly store: GrantStore;

  constructor(readonly options: AccessMachineOptions) {
    this.ctx = options.ctx;
    this.store = options.store;
    this.timing = { ...DEFAULT_TIMING, ...options.timing, clock: options.localClock ?? systemClock, random: options.random };
  }

  /**
   * Runs one operation per VM at a time. `fn` gets a signal that aborts with the caller's signal or
   * with `cancel(vmId)`.
   */
  exclusive<T>(vmId: string, vmName: string, signal: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const key = vmId.toLowerCase();
    if (this.running.has(key)) return Promise.reject(new JitError("AccessInProgress", `An access operation for ${vmName} is already in progress. Wait for it to finish or cancel it.`));
    const controller = new AbortController();
    const p = fn(anySignal(signal, controller.signal)).finally(() => this.running.delete(key));
    this.running.set(key, { promise: p, controller });
    return p;
  }

  mustGet(vmId: string): AccessRecord {
    const rec = this.store.get(vmId);
    if (!rec) throw new JitError("Internal", `No access record for ${vmId}.`);
    return rec;
  }

  /** Validates the move against TRANSITIONS, persists it, then tells listeners. */
  async setState(vmId: string, vmName: string, next: AccessState, patch: Partial<Pick<AccessRecord, "request" | "grant">> = {}): Promise<AccessRecord> {
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
      reactivation: current?.reactivation,
      updatedAt: this.ctx.clock.now(),
    };
    await this.store.put(record);
    this.emit(record);
    return record;
  }

  emit(rec: AccessRecord, step = stepOf(rec)): void {
    const event: AccessEvent = { vmId: rec.vmId, vmName: rec.vmName, state: rec.state, step };
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (e) {
        this.ctx.logger.error(`An access event listener failed: ${errorMessage(e)}`);
      }
    }
  }

  async audit(entry: AuditEntry): Promise<void> {
    if (!this.options.audit) return;
    try {
      await this.options.audit.append(entry);
    } catch (e) {
      this.ctx.logger.error(`Could not write to the access journal: ${errorMessage(e)}`);
    }
  }
}

export function mustRequest(rec: AccessRecord): AccessRequestContext {
  if (!rec.request) throw new JitError("Internal", `The access record for ${rec.vmName} has no request context.`);
  return rec.request;
}

export function auditBase(req: AccessRequestContext): Omit<AuditEntry, "type"> {
  return { vmId: req.vmId, vmName: req.vmName, tenantId: req.tenantId, subscriptionId: req.subscriptionId, roleName: req.roleName, justification: req.justification, ticket: req.ticket?.number };
}
