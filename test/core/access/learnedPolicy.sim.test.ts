import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AccessInputRequest } from "../../../src/core/access/accessInput";
import { PimPolicyCache } from "../../../src/core/inventory/pimPolicyCache";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { accessHarness, type Harness } from "./support/accessHarness";
import { signedInContext } from "./support/simContext";

const H = 3600_000;

describe("a PIM policy the user cannot read (dana, no Reader; simulator)", () => {
  let t: TestSimulator;
  let h: Harness;
  const asked: AccessInputRequest[] = [];

  before(async () => {
    t = await startTestSimulator("demo", { startVms: false });
    // She answers only what she is asked: no justification unless the request says it is needed.
    h = await accessHarness(await signedInContext(t, "dana@contoso.example"), {
      input: async (r) => {
        asked.push(r);
        return { durationMs: Math.min(2 * H, r.maxDurationMs), ...(r.needs.justification ? { justification: "Patch the web tier" } : {}) };
      },
    });
  });
  after(async () => {
    await h?.dispose();
    await t?.stop();
  });

  it("learns the justification rule from PIM's refusal, asks for it, retries once, and asks up front next time", async () => {
    const vm = await h.vm("vm-dev-01");
    const grant = await h.machine.requestAccess(vm);
    assert.deepEqual(asked.map((a) => a.needs.justification), [false, true], "asked again for what PIM named");
    assert.equal(grant.justification, "Patch the web tier");
    const pim = (await t.control.pimRequests()).filter((r) => r.scope.endsWith("rg-vm-dev-01") && r.requestType === "SelfActivate");
    assert.equal(pim.length, 1, "the refused attempt left nothing in PIM");
    assert.equal(pim[0]?.justification, "Patch the web tier");

    await t.control.advanceClock(6 * 60);
    await h.machine.deactivate(await h.vm("vm-dev-01"));
    asked.length = 0;
    await h.machine.requestAccess(await h.vm("vm-dev-01"));
    assert.deepEqual(asked.map((a) => a.needs.justification), [true], "remembered: asked once, up front");
  });

  it("remembers in the policy cache it is given, per tenant, scope and role", async () => {
    const cache = new PimPolicyCache();
    const ctx = await signedInContext(t, "dana@contoso.example");
    const { AccessMachine } = await import("../../../src/core/access/accessMachine");
    const machine = new AccessMachine({ ctx, store: h.store, input: async (r) => ({ durationMs: H, ...(r.needs.justification ? { justification: "why" } : {}) }), policyCache: cache, timing: { roleEffectiveTimeoutMs: 30_000, jitOpenTimeoutMs: 30_000 } });
    await t.control.advanceClock(6 * 60);
    await machine.deactivate(await h.vm("vm-dev-01"));
    await machine.requestAccess(await h.vm("vm-dev-01"));
    const vm = await h.vm("vm-dev-01");
    const entry = cache.get(vm.tenantId, vm.eligibility!.scope, vm.eligibility!.roleDefinitionId);
    assert.ok(entry.hit && entry.requirements?.justification === true, JSON.stringify(entry));
  });
});
