import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type ReactivationEvent, roleLimitsGrant } from "../../../src/core/access/accessMachine";
import type { JitError } from "../../../src/core/errors";
import { getJitPolicy } from "../../../src/core/inventory/jitReads";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { accessHarness, type Harness, waitForEvent } from "./support/accessHarness";
import { signedInContext } from "./support/simContext";

const H = 3600_000;
const M = 60_000;

describe("grant lifecycle: extend, deactivate, expiry, cancel (simulator)", () => {
  let t: TestSimulator;
  let h: Harness;
  let duration = H;
  let askedCount = 0;

  before(async () => {
    t = await startTestSimulator("demo", { startVms: false });
    h = await accessHarness(await signedInContext(t), {
      input: async (r) => {
        askedCount++;
        return { durationMs: Math.min(duration, r.maxDurationMs), justification: "Lifecycle test" };
      },
    });
  });
  after(async () => {
    await h?.dispose();
    await t?.stop();
  });

  it("extend renews JIT only (the older request is revoked as NewerRequestInitiated); PIM is not asked to lengthen anything", async () => {
    // vm-ready's role is active for hours: the JIT window is what runs out.
    duration = H;
    const vm = await h.vm("vm-ready");
    const first = await h.machine.requestAccess(vm);
    assert.ok(first.expiresAt - h.ctx.clock.now() <= H + M);
    duration = 3 * H;
    const pimBefore = (await t.control.pimRequests()).length;
    const extended = await h.machine.extend(await h.vm("vm-ready"));
    assert.ok(extended.expiresAt > first.expiresAt + H, `extended to ${(extended.expiresAt - h.ctx.clock.now()) / M} min`);
    assert.equal(extended.roleAssignment.endsAt, first.roleAssignment.endsAt, "the role is unchanged");
    assert.equal(roleLimitsGrant(extended), false);
    assert.equal((await t.control.pimRequests()).length, pimBefore, "no PIM request at all");
    const policy = await getJitPolicy(h.ctx, vm.tenantId, vm.jitPolicy!);
    const ports = policy!.requests.filter((r) => r.vmId.toLowerCase() === vm.id.toLowerCase()).map((r) => `${r.status}:${r.statusReason ?? ""}`);
    assert.ok(ports.includes("Revoked:NewerRequestInitiated") && ports.includes("Initiated:UserRequested"), ports.join(", "));
    const steps = h.events.filter((e) => e.vmId === vm.id && e.state.kind === "extending").map((e) => e.step?.message);
    assert.deepEqual(steps.slice(1), ["Reading the access policies (1/2)…", "Renewing JIT access to port 22 (2/2)…"]);
    assert.ok((await h.journal.read({ vmId: vm.id, types: ["accessExtended"] })).length === 1);
  });

  it("extend never goes past the role's end; 'activate again when it ends' runs a new activation with the same answers on Azure's clock", async () => {
    duration = H;
    const vm = await h.vm("vm-dev-01");
    const first = await h.machine.requestAccess(vm);
    duration = 3 * H;
    const extended = await h.machine.extend(await h.vm("vm-dev-01"));
    assert.ok(extended.expiresAt <= (extended.roleAssignment.endsAt ?? 0) && extended.expiresAt > (extended.roleAssignment.endsAt ?? 0) - 2 * M, "capped at the role's end");
    assert.equal(roleLimitsGrant(extended), true);
    assert.ok(!(await t.control.pimRequests()).some((r) => r.requestType === "SelfExtend"), "no SelfExtend is sent for an activation");

    const planned = h.machine.reactivateWhenRoleEnds(await h.vm("vm-dev-01"));
    assert.ok(planned.at > (first.roleAssignment.endsAt ?? 0));
    assert.deepEqual(h.machine.scheduledReactivation(vm.id), planned);
    const outcome = new Promise<ReactivationEvent>((resolve) => {
      const off = h.machine.onDidReactivate((e) => {
        if (e.vmId === vm.id && (e.outcome === "granted" || e.outcome === "failed")) {
          off();
          resolve(e);
        }
      });
    });
    const asked = askedCount;
    await t.control.advanceClock(Math.ceil((planned.at - h.ctx.clock.now()) / 1000) + 1);
    await h.vm("vm-dev-01"); // any Azure response teaches our clock Azure's time; the plan fires then
    const done = await outcome;
    assert.equal(done.outcome, "granted", done.error?.message);
    assert.ok((done.grant?.roleAssignment.endsAt ?? 0) > (first.roleAssignment.endsAt ?? 0) + 30 * M, "a new activation");
    assert.equal(done.grant?.justification, "Lifecycle test", "the same justification");
    assert.equal(askedCount, asked, "nobody was asked");
    const activations = (await t.control.pimRequests()).filter((r) => r.requestType === "SelfActivate" && r.scope.endsWith("rg-vm-dev-01"));
    assert.equal(activations.length, 2);
    assert.equal(h.machine.scheduledReactivation(vm.id), undefined);
  });

  it("a planned re-activation survives a restart (kept in the grant store), and cancelling it there removes it", async () => {
    duration = H;
    const vm = await h.vm("vm-forbidden");
    await h.machine.requestAccess(vm);
    const planned = h.machine.reactivateWhenRoleEnds(vm);
    await h.store.flush();
    assert.equal(h.store.get(vm.id)?.reactivation?.at, planned.at, "the plan is not in the store");
    assert.equal(h.store.get(vm.id)?.reactivation?.values.justification, "Lifecycle test");
    // A new window (or VS Code restarted): nothing is armed until the inventory names the VM.
    const { store, machine } = await h.restart();
    assert.equal(machine.scheduledReactivation(vm.id), undefined);
    const events: ReactivationEvent[] = [];
    machine.onDidReactivate((e) => events.push(e));
    machine.restoreReactivations([await h.vm("vm-forbidden")]);
    assert.deepEqual(machine.scheduledReactivation(vm.id), planned);
    assert.deepEqual(events.map((e) => e.outcome), ["scheduled"]);
    machine.restoreReactivations([await h.vm("vm-forbidden")]);
    assert.equal(events.length, 1, "restoring twice arms it once");
    assert.equal(machine.cancelReactivation(vm.id), true);
    await store.flush();
    assert.equal(store.get(vm.id)?.reactivation, undefined);
    const { machine: third } = await h.restart();
    third.restoreReactivations([await h.vm("vm-forbidden")]);
    assert.equal(third.scheduledReactivation(vm.id), undefined, "a cancelled plan came back after a restart");
    machine.dispose();
    third.dispose();
    h.machine.cancelReactivation(vm.id);
  });

  it("a planned re-activation can be cancelled, and a deactivation drops it", async () => {
    duration = H;
    const vm = await h.vm("vm-nosecret");
    await h.machine.requestAccess(vm);
    h.machine.reactivateWhenRoleEnds(vm);
    assert.equal(h.machine.cancelReactivation(vm.id), true);
    assert.equal(h.machine.scheduledReactivation(vm.id), undefined);
    assert.equal(h.machine.cancelReactivation(vm.id), false);
    h.machine.reactivateWhenRoleEnds(vm);
    await t.control.advanceClock(6 * 60);
    await h.machine.deactivate(await h.vm("vm-nosecret"));
    assert.equal(h.machine.scheduledReactivation(vm.id), undefined);
  });

  it("extend without a grant is refused plainly", async () => {
    await assert.rejects(h.machine.extend(await h.vm("vm-password")), (e: JitError) => e.code === "RoleNotActive" && /Request access instead/.test(e.message));
  });

  it("deactivate within 5 minutes → DeactivateTooSoon naming the time; after moving the clock → deactivated", async () => {
    duration = H;
    const vm = await h.vm("gpu-ds-01");
    const grant = await h.machine.requestAccess(vm);
    await assert.rejects(h.machine.deactivate(vm.id), (e: JitError) => e.code === "DeactivateTooSoon" && /from \d\d:\d\d UTC/.test(e.message) && typeof e.details.possibleAt === "string");
    assert.equal(h.machine.state(vm.id).kind, "granted", "nothing changed");
    await t.control.advanceClock(6 * 60);
    const result = await h.machine.deactivate(vm.id);
    assert.equal(result.roleDeactivated, true);
    assert.equal(result.jitOpenUntil, grant.jit.endsAt);
    assert.match(result.message, /stays in place until .* no API to close it early/);
    assert.equal(h.machine.state(vm.id).kind, "idle");
    const after = await h.vm("gpu-ds-01");
    assert.equal(after.readiness.role.state, "eligible", "Azure no longer has the role active");
    assert.equal((await h.journal.read({ vmId: vm.id, types: ["deactivated"] })).length, 1);
    await assert.rejects(h.machine.deactivate(vm.id), (e: JitError) => e.code === "RoleNotActive");
  });

  it("cancel after the role is active: the role is recorded with its end, and can be deactivated later", async () => {
    duration = H;
    const vm = await h.vm("vm-password");
    const ac = new AbortController();
    const flow = h.machine.requestAccess(vm, {}, ac.signal);
    await waitForEvent(h.machine, (e) => e.vmId === vm.id && e.state.kind === "initiatingJit");
    ac.abort();
    await assert.rejects(flow, (e: Error) => e.name === "CancellationError");
    const state = h.machine.state(vm.id);
    assert.equal(state.kind, "cancelled");
    assert.match(state.kind === "cancelled" ? state.message : "", /stays active until \d\d:\d\d UTC; deactivate it/);
    const rec = h.machine.record(vm.id);
    assert.ok(rec?.request?.roleEndsAt, "the store knows the active role");
    assert.equal((await h.vm("vm-password")).readiness.role.state, "active", "and so does Azure");
    await t.control.advanceClock(6 * 60);
    const result = await h.machine.deactivate(vm.id);
    assert.equal(result.roleDeactivated, true);
  });

  it("cancel while the user is asked: nothing is requested", async () => {
    const vm = await h.vm("vm-nosecret");
    const ac = new AbortController();
    const before = (await t.control.pimRequests()).length;
    const local = await accessHarness(h.ctx, { input: async () => (ac.abort(), { durationMs: H, justification: "x" }) });
    try {
      await assert.rejects(local.machine.requestAccess(vm, {}, ac.signal), (e: Error) => e.name === "CancellationError");
      assert.equal((await t.control.pimRequests()).length, before);
      const s = local.machine.state(vm.id);
      assert.equal(s.kind, "cancelled");
      assert.match(s.kind === "cancelled" ? s.message : "", /before anything was requested/);
    } finally {
      await local.dispose();
    }
  });

  it("expiry: after moving the simulated clock the grant and the VM show expired", async () => {
    duration = H;
    const vm = await h.vm("vm-forbidden");
    await h.machine.requestAccess(vm);
    assert.equal((await h.vm("vm-forbidden")).readiness.status, "ready");
    await t.control.advanceClock(2 * 3600);
    const entry = await h.vm("vm-forbidden"); // a read also teaches the clock Azure's time
    assert.equal(entry.readiness.status, "expired");
    assert.match(entry.readiness.reasons[0] ?? "", /expired .* ago\. Request access again/);
    const expired = await h.machine.checkExpiry();
    assert.ok(expired.some((g) => g.vmId === vm.id));
    assert.equal(h.machine.state(vm.id).kind, "expired");
    assert.ok((await h.journal.read({ vmId: vm.id, types: ["expired"] })).length === 1);
    // And it can be requested again from there.
    const again = await h.machine.requestAccess(await h.vm("vm-forbidden"));
    assert.ok(again.expiresAt > h.ctx.clock.now());
  });
});
