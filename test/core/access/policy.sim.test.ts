import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { JitError } from "../../../src/core/errors";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { accessHarness, type Harness } from "./support/accessHarness";
import { signedInContext } from "./support/simContext";

const H = 3600_000;

describe("policy violations (simulator)", () => {
  let t: TestSimulator;
  let h: Harness;
  let answer: { justification?: string; ticket?: { number: string }; durationMs: number } = { durationMs: H };

  before(async () => {
    t = await startTestSimulator("demo", {
      startVms: false,
      // vm-password's policy allows 1 h only; the test hides that policy from the client below.
      edit: (s) => {
        const p = s.pimPolicies?.find((x) => x.scope.endsWith("rg-vm-password"));
        if (p) p.maximumDuration = "PT1H";
      },
    });
    h = await accessHarness(await signedInContext(t), { input: async () => answer });
  });
  after(async () => {
    await h?.dispose();
    await t?.stop();
  });

  it("missing justification is refused before anything is sent", async () => {
    const before = (await t.control.pimRequests()).length;
    answer = { durationMs: H, justification: "   " };
    const vm = await h.vm("vm-dev-01");
    await assert.rejects(h.machine.requestAccess(vm), (e: JitError) => e.code === "PolicyViolation" && /requires a justification/.test(e.message));
    assert.equal((await t.control.pimRequests()).length, before);
    const state = h.machine.state(vm.id);
    assert.equal(state.kind, "failed");
    assert.equal(state.kind === "failed" ? state.code : "", "PolicyViolation");
  });

  it("missing ticket on a policy that requires one (vm-approval)", async () => {
    answer = { durationMs: H, justification: "why" };
    await assert.rejects(h.machine.requestAccess(await h.vm("vm-approval")), (e: JitError) => e.code === "PolicyViolation" && /ticket number/.test(e.message));
  });

  it("too long: when the policy could not be read, PIM's ExpirationRule comes back in plain words", async () => {
    const id = await t.control.addFault({ match: { service: "arm.pim", pathRegex: "rg-vm-password/providers/Microsoft.Authorization/roleManagementPolicyAssignments" }, status: 403 });
    try {
      answer = { durationMs: 3 * H, justification: "why" };
      const vm = await h.vm("vm-password");
      await assert.rejects(h.machine.requestAccess(vm), (e: JitError) => e.code === "PolicyViolation" && /requested duration is longer than the policy allows/.test(e.message) && !/RoleAssignmentRequestPolicyValidationFailed/.test(e.message));
      assert.equal(h.machine.state(vm.id).kind, "failed");
      const types = (await h.journal.read({ vmId: vm.id })).map((r) => r.type);
      assert.deepEqual(types, ["elevationFailed"]);
    } finally {
      await t.control.clearFaults(id);
    }
  });

  it("too long with the policy readable: clamped to the policy, and accepted", async () => {
    answer = { durationMs: 5 * H, justification: "why" };
    const grant = await h.machine.requestAccess(await h.vm("vm-password"));
    const length = grant.expiresAt - h.ctx.clock.now();
    assert.ok(length <= H + 60_000 && length > H - 5 * 60_000, `${length / 60_000} min`);
  });
});
