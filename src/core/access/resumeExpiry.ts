import { isCancellation } from "../cancellation";
import type { Grant } from "./grant";
import type { MachineKernel } from "./machineKernel";
import { driveSettled } from "./requestFlow";
import { EPHEMERAL_STATES, RESUMABLE_STATES } from "./states";

export interface ResumeOutcome {
  vmId: string;
  vmName: string;
  outcome: "granted" | "failed" | "cancelled" | "expired" | "unchanged";
  grant?: Grant;
  error?: Error;
}

/**
 * Continues what the store says was under way when the extension stopped: pending approvals,
 * activations and JIT requests; ends flows that only existed in memory; expires due grants.
 * Resolves when every resumed flow has settled (an approval may take a long time).
 */
export async function resumePending(k: MachineKernel, signal?: AbortSignal): Promise<ResumeOutcome[]> {
  await checkExpiry(k);
  const jobs = k.store.all().map(async (rec): Promise<ResumeOutcome> => {
    const base = { vmId: rec.vmId, vmName: rec.vmName };
    const kind = rec.state.kind;
    if (EPHEMERAL_STATES.includes(kind)) {
      await k.setState(rec.vmId, rec.vmName, { kind: "cancelled", message: "Interrupted by a restart before anything was requested." });
      return { ...base, outcome: "cancelled" };
    }
    if (kind === "extending" || kind === "deactivating") {
      // Interrupted mid-way: keep what we knew; the next inventory shows Azure's truth.
      if (!rec.grant) {
        await k.setState(rec.vmId, rec.vmName, { kind: "idle" });
        return { ...base, outcome: "unchanged" };
      }
      const valid = rec.grant.expiresAt > k.ctx.clock.now();
      await k.setState(rec.vmId, rec.vmName, valid ? { kind: "granted", grant: rec.grant } : { kind: "expired", grant: rec.grant });
      return { ...base, outcome: valid ? "unchanged" : "expired" };
    }
    if (!RESUMABLE_STATES.includes(kind) || k.running.has(rec.vmId.toLowerCase())) return { ...base, outcome: "unchanged" };
    k.ctx.logger.info(`Resuming the access request for ${rec.vmName} (${kind}).`);
    try {
      const grant = await k.exclusive(rec.vmId, rec.vmName, signal, (s) => driveSettled(k, rec.vmId, { resumed: true, keepPendingOnCancel: true, retriedAfterStepUp: false }, s));
      return { ...base, outcome: "granted", grant };
    } catch (e) {
      return { ...base, outcome: isCancellation(e) ? "cancelled" : "failed", error: e as Error };
    }
  });
  return Promise.all(jobs);
}

/**
 * Moves grants whose end has passed (on Azure's clock) to `expired`; returns them, each grant once
 * over all calls. Calls may overlap (the countdown fires once per grant that ends in a tick, a
 * restart checks too): they run one after the other, and each reads the record afresh before moving
 * it, so a grant another call already expired is left alone.
 */
export function checkExpiry(k: MachineKernel): Promise<Grant[]> {
  const run = k.expiryQueue.then(() => expireDue(k));
  k.expiryQueue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

async function expireDue(k: MachineKernel): Promise<Grant[]> {
  const now = k.ctx.clock.now();
  const expired: Grant[] = [];
  for (const { vmId } of k.store.all()) {
    const rec = k.store.get(vmId);
    if (rec?.state.kind !== "granted" || rec.state.grant.expiresAt > now) continue;
    const grant = rec.state.grant;
    await k.setState(rec.vmId, rec.vmName, { kind: "expired", grant }, { grant });
    expired.push(grant);
    await k.audit({ type: "expired", vmId: grant.vmId, vmName: grant.vmName, tenantId: grant.tenantId, subscriptionId: grant.subscriptionId, roleName: grant.roleAssignment.roleName, endsAt: new Date(grant.expiresAt).toISOString() });
  }
  return expired;
}
