import { isCancellation } from "../cancellation";
import type { TimerHandle } from "../clock";
import { JitError, errorMessage } from "../errors";
import { isPlannedReactivation } from "./grantStore";
import type { VmEntry } from "../inventory/loadInventory";
import type { AccessInputProvider, AccessInputValues } from "./accessInput";
import { formatTime } from "./accessErrors";
import type { Grant } from "./grant";
import type { MachineKernel } from "./machineKernel";

/**
 * "Activate again when it ends": PIM cannot lengthen an activation, and refuses a second one while
 * the first is active (RoleAssignmentExists), so the way to keep working past the role's end is a
 * new activation right after it. This schedules one on Azure's clock, with the answers of the
 * request that made the grant (justification, ticket, duration); the policy is checked again as for
 * any activation (approval, MFA step-up, ticket). The plan is kept in the grant store, so a window
 * reload or a restart of VS Code picks it up again (`restore`, after the next inventory); a
 * deactivation or `cancel` drops it.
 */

/** After the role's end on Azure's clock: PIM refuses a new activation while the old one lasts. */
export const REACTIVATION_DELAY_MS = 15_000;

export interface ReactivationEvent {
  vmId: string;
  vmName: string;
  outcome: "scheduled" | "started" | "granted" | "failed" | "cancelled";
  /** When it runs (Azure's clock, ms). */
  at?: number;
  grant?: Grant;
  error?: Error;
}

interface Planned {
  vm: VmEntry;
  at: number;
  values: AccessInputValues;
  timer?: TimerHandle;
}

export type RequestWithAnswers = (vm: VmEntry, input: AccessInputProvider) => Promise<Grant>;

export class ReactivationScheduler {
  private readonly planned = new Map<string, Planned>();
  private readonly listeners = new Set<(e: ReactivationEvent) => void>();
  private readonly offSkew: () => void;

  constructor(
    private readonly k: MachineKernel,
    private readonly request: RequestWithAnswers,
  ) {
    // Azure's time moved relative to ours (or a laptop slept): re-arm every timer from Azure's now.
    this.offSkew = k.ctx.clock.onDidChangeSkew(() => {
      for (const key of this.planned.keys()) this.arm(key);
    });
  }

  onDidChange(listener: (e: ReactivationEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The planned re-activation of a VM's role, if any. */
  scheduled(vmId: string): { at: number } | undefined {
    const p = this.planned.get(vmId.toLowerCase());
    return p ? { at: p.at } : undefined;
  }

  /**
   * Plans a new activation of the VM's role when the current one ends, with the answers given for
   * the current grant. Replaces an earlier plan for the VM. Throws when there is no grant of ours
   * with a role that ends.
   */
  schedule(vm: VmEntry): { at: number } {
    const rec = this.k.store.get(vm.id);
    const grant = rec?.state.kind === "granted" ? rec.state.grant : undefined;
    if (!grant) throw new JitError("RoleNotActive", `There is no active access to ${vm.name}: request access instead.`);
    const roleEnd = grant.roleAssignment.endsAt;
    if (roleEnd === undefined) throw new JitError("RoleNotActive", `The role on ${vm.name} is a permanent assignment; it does not end, so there is nothing to activate again.`);
    const roleLength = grant.roleAssignment.startsAt !== undefined ? roleEnd - grant.roleAssignment.startsAt : undefined;
    const values: AccessInputValues = {
      durationMs: rec?.request?.durationMs ?? roleLength ?? 3600_000,
      justification: grant.justification ?? rec?.request?.justification,
      ticket: grant.ticket ?? rec?.request?.ticket,
    };
    const key = vm.id.toLowerCase();
    this.drop(key);
    const at = roleEnd + REACTIVATION_DELAY_MS;
    this.planned.set(key, { vm, at, values });
    this.arm(key);
    this.save(vm.id, { at, values });
    this.k.ctx.logger.info(`The role on ${vm.name} will be activated again when it ends (${formatTime(at)}).`);
    this.emit({ vmId: vm.id, vmName: vm.name, outcome: "scheduled", at });
    return { at };
  }

  /** Drops a planned re-activation; false when none was planned. */
  cancel(vmId: string): boolean {
    const p = this.planned.get(vmId.toLowerCase());
    if (!p) return false;
    this.drop(vmId.toLowerCase());
    this.save(p.vm.id, undefined);
    this.emit({ vmId: p.vm.id, vmName: p.vm.name, outcome: "cancelled", at: p.at });
    return true;
  }

  /**
   * Picks up the plans the grant store holds (made before a restart, or in another window) for VMs
   * of this inventory; plans already armed here are left alone. A plan whose time has passed runs now.
   */
  restore(vms: readonly VmEntry[]): void {
    for (const rec of this.k.store.all()) {
      const key = rec.vmId.toLowerCase();
      if (this.planned.has(key) || !isPlannedReactivation(rec.reactivation)) continue;
      const vm = vms.find((v) => v.id.toLowerCase() === key);
      if (!vm) continue;
      this.planned.set(key, { vm, at: rec.reactivation.at, values: rec.reactivation.values });
      this.arm(key);
      this.k.ctx.logger.info(`The role on ${vm.name} will be activated again when it ends (${formatTime(rec.reactivation.at)}), as planned before.`);
      this.emit({ vmId: vm.id, vmName: vm.name, outcome: "scheduled", at: rec.reactivation.at });
    }
  }

  private save(vmId: string, plan: { at: number; values: AccessInputValues } | undefined): void {
    this.k.store.setReactivation(vmId, plan).catch((e: unknown) => this.k.ctx.logger.warn(`Could not save the planned re-activation: ${errorMessage(e)}`));
  }

  dispose(): void {
    for (const key of [...this.planned.keys()]) this.drop(key);
    this.offSkew();
    this.listeners.clear();
  }

  private arm(key: string): void {
    const p = this.planned.get(key);
    if (!p) return;
    if (p.timer) this.k.ctx.clock.clearTimeout(p.timer);
    p.timer = this.k.ctx.clock.setTimeout(() => this.fire(key), Math.max(0, p.at - this.k.ctx.clock.now()));
  }

  private drop(key: string): void {
    const p = this.planned.get(key);
    if (p?.timer) this.k.ctx.clock.clearTimeout(p.timer);
    this.planned.delete(key);
  }

  private fire(key: string): void {
    const p = this.planned.get(key);
    if (!p) return;
    // Timers run on local time; the decision is Azure's.
    if (this.k.ctx.clock.now() < p.at) return this.arm(key);
    this.drop(key);
    this.save(p.vm.id, undefined);
    const base = { vmId: p.vm.id, vmName: p.vm.name, at: p.at };
    this.emit({ ...base, outcome: "started" });
    const answers: AccessInputProvider = async () => p.values;
    this.request(p.vm, answers).then(
      (grant) => this.emit({ ...base, outcome: "granted", grant }),
      (e: unknown) => {
        if (!isCancellation(e)) this.k.ctx.logger.warn(`Activating the role on ${p.vm.name} again failed: ${errorMessage(e)}`);
        this.emit({ ...base, outcome: isCancellation(e) ? "cancelled" : "failed", error: e instanceof Error ? e : new Error(errorMessage(e)) });
      },
    );
  }

  private emit(e: ReactivationEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.k.ctx.logger.error(`A re-activation listener failed: ${errorMessage(err)}`);
      }
    }
  }
}
