import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { JitError } from "../../../src/core/errors";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { accessHarness, cannedInput, type Harness, waitForEvent } from "./support/accessHarness";
import { signedInContext } from "./support/simContext";

/** vm-approval needs approval in the demo; this run also puts vm-password and vm-nosecret behind approval. */
const APPROVAL_VMS = ["vm-password", "vm-nosecret", "vm-forbidden"];

describe("approval path (simulator)", () => {
  let t: TestSimulator;
  let h: Harness;

  before(async () => {
    t = await startTestSimulator("demo", {
      startVms: false,
      edit: (s) => {
        for (const p of s.pimPolicies ?? []) if (APPROVAL_VMS.some((vm) => p.scope.endsWith(`rg-${vm}`))) Object.assign(p, { requireApproval: true, requireTicket: true });
      },
    });
    h = await accessHarness(await signedInContext(t), { values: { justification: "Patch openssl", ticket: { number: "CHG-7" } } });
  });
  after(async () => {
    await h?.dispose();
    await t?.stop();
  });

  async function pendingRequestFor(vmName: string): Promise<string> {
    const event = await waitForEvent(h.machine, (e) => e.vmName === vmName && e.state.kind === "pendingApproval");
    assert.equal(event.step?.message, "Waiting for approval (2/3)…");
    const name = event.state.kind === "pendingApproval" ? event.state.requestName : "";
    const pending = await t.control.pimRequests("PendingApproval");
    assert.ok(pending.some((r) => r.name === name), "PIM holds our pending request");
    return name;
  }

  it("deny → ApprovalDenied, recorded as denied and journaled", async () => {
    const vm = await h.vm("vm-approval");
    const flow = h.machine.requestAccess(vm);
    const name = await pendingRequestFor("vm-approval");
    assert.equal((await h.vm("vm-approval")).readiness.status, "pendingApproval", "the tree shows it while waiting");
    await t.control.denyPim(name, "Not during the freeze");
    await assert.rejects(flow, (e: JitError) => e.code === "ApprovalDenied" && /denied by an approver/.test(e.message));
    assert.equal(h.machine.state(vm.id).kind, "denied");
    assert.deepEqual(h.asked.at(-1)?.needs, { justification: true, ticket: true });
    assert.equal(h.asked.at(-1)?.approvalRequired, true);
    const types = (await h.journal.read({ vmId: vm.id })).map((r) => r.type);
    assert.deepEqual(types, ["elevationRequested", "elevationDenied"]);
  });

  it("pending → approve via the control API → granted", async () => {
    const vm = await h.vm("vm-approval");
    const flow = h.machine.requestAccess(vm);
    const name = await pendingRequestFor("vm-approval");
    await t.control.approvePim(name);
    const grant = await flow;
    assert.equal(grant.roleAssignment.requestName, name);
    assert.equal(grant.ticket?.number, "CHG-7");
    const types = (await h.journal.read({ vmId: vm.id })).map((r) => r.type);
    assert.deepEqual(types.slice(-4), ["elevationRequested", "elevationApproved", "jitInitiated", "accessGranted"]);
  });

  it("cancel while pending withdraws the PIM request", async () => {
    const vm = await h.vm("vm-password");
    const ac = new AbortController();
    const flow = h.machine.requestAccess(vm, {}, ac.signal);
    const name = await pendingRequestFor("vm-password");
    ac.abort();
    await assert.rejects(flow, (e: Error) => e.name === "CancellationError");
    const req = (await t.control.pimRequests()).find((r) => r.name === name);
    assert.equal(req?.status, "Canceled");
    const state = h.machine.state(vm.id);
    assert.equal(state.kind, "cancelled");
    assert.match(state.kind === "cancelled" ? state.message : "", /withdrawn/);
    assert.deepEqual((await h.journal.read({ vmId: vm.id })).map((r) => r.type), ["elevationRequested", "elevationCancelled"]);
  });

  it("cancel(vmId) withdraws a pending request, whether its flow runs or was left pending earlier", async () => {
    const vm = await h.vm("vm-forbidden");
    const flow = h.machine.requestAccess(vm, { keepPendingOnCancel: true });
    const first = await pendingRequestFor("vm-forbidden");
    assert.equal(await h.machine.cancel(vm.id), true);
    await assert.rejects(flow, (e: Error) => e.name === "CancellationError");
    assert.equal((await t.control.pimRequests()).find((r) => r.name === first)?.status, "Canceled", "an explicit cancel withdraws even with keepPendingOnCancel");

    const ac = new AbortController();
    const second = h.machine.requestAccess(await h.vm("vm-forbidden"), { keepPendingOnCancel: true }, ac.signal);
    const name = await pendingRequestFor("vm-forbidden");
    ac.abort();
    await assert.rejects(second, (e: Error) => e.name === "CancellationError");
    assert.equal(h.machine.state(vm.id).kind, "pendingApproval");
    await assert.rejects(h.machine.deactivate(vm.id), (e: JitError) => e.code === "AccessInProgress");
    assert.equal(await h.machine.cancel(vm.id), true);
    assert.equal((await t.control.pimRequests()).find((r) => r.name === name)?.status, "Canceled");
    assert.equal(h.machine.state(vm.id).kind, "cancelled");
    assert.equal(await h.machine.cancel(vm.id), false, "nothing left to cancel");
  });

  it("restart while pending: a new machine from the same store resumes and completes", async () => {
    const vm = await h.vm("vm-nosecret");
    const ac = new AbortController();
    const flow = h.machine.requestAccess(vm, { keepPendingOnCancel: true }, ac.signal);
    const name = await pendingRequestFor("vm-nosecret");
    ac.abort(); // the window closes; the request stays with the approver
    await assert.rejects(flow, (e: Error) => e.name === "CancellationError");
    assert.equal(h.machine.state(vm.id).kind, "pendingApproval");
    assert.equal((await t.control.pimRequests()).find((r) => r.name === name)?.status, "PendingApproval");

    const { machine, store } = await h.restart(cannedInput());
    assert.equal(store.get(vm.id)?.state.kind, "pendingApproval", "the new instance reads the pending request");
    const resumed = machine.resumePending();
    await new Promise((r) => setTimeout(r, 100));
    await t.control.approvePim(name);
    const outcomes = await resumed;
    const mine = outcomes.find((o) => o.vmId === vm.id);
    assert.equal(mine?.outcome, "granted", String(mine?.error));
    assert.equal(mine?.grant?.roleAssignment.requestName, name);
    assert.equal(store.get(vm.id)?.state.kind, "granted");
    const others = outcomes.filter((o) => o.vmId !== vm.id).map((o) => o.outcome);
    assert.ok(others.every((o) => o === "unchanged"), "finished flows are left alone");
  });
});
