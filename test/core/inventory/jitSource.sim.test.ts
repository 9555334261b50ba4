/**
 * A JIT rule whose allowed source is a range around the Bastion subnet (not the subnet itself nor
 * `*`): Azure would refuse the request (verbatim match), so the inventory says so and the access
 * flow stops before it activates anything in PIM.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AzureContext } from "../../../src/core/azure/azureContext";
import type { JitError } from "../../../src/core/errors";
import { requireJitSourcePrefix } from "../../../src/core/inventory/jitSelection";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { accessHarness, type Harness } from "../access/support/accessHarness";
import { signedInContext } from "../access/support/simContext";

describe("JIT source prefix not allowed for the Bastion (simulator)", () => {
  let t: TestSimulator;
  let ctx: AzureContext;
  let h: Harness;

  before(async () => {
    t = await startTestSimulator("demo", {
      startVms: false,
      edit: (s) => {
        const policy = s.jitPolicies?.find((p) => p.virtualMachines.some((v) => v.name === "vm-dev-01"));
        const port = policy?.virtualMachines[0]?.ports[0];
        assert.ok(port);
        port.allowedSourceAddressPrefix = "10.0.0.0/16";
      },
    });
    ctx = await signedInContext(t);
    h = await accessHarness(ctx);
  });
  after(async () => {
    await h?.dispose();
    await t?.stop();
  });

  it("the inventory shows the administrator's fix", async () => {
    const vm = await h.vm("vm-dev-01");
    assert.equal(vm.readiness.status, "noJitPolicy");
    assert.equal(vm.readiness.jit.state, "sourceNotAllowed");
    assert.match(vm.readiness.reasons[0] ?? "", /add 10\.0\.1\.0\/26/);
  });

  it("requesting access fails with JitSourceNotAllowed before any PIM request", async () => {
    const vm = await h.vm("vm-dev-01");
    const since = (await t.control.audit()).at(-1)?.seq ?? 0;
    await assert.rejects(h.machine.requestAccess(vm), (e: JitError) => e.code === "JitSourceNotAllowed");
    const calls = await t.control.audit(since);
    assert.ok(!calls.some((c) => /roleAssignmentScheduleRequests/i.test(c.path) && c.method === "PUT"), "no activation was sent");
    assert.ok(!calls.some((c) => /\/initiate/i.test(c.path)), "no JIT request was sent");
  });

  it("a stale inventory that still allowed the Bastion does not get past the fresh policy read", async () => {
    // As if the inventory was loaded before an administrator narrowed the rule: readiness says
    // "available", the policy Azure holds now does not admit the Bastion subnet.
    const fresh = await h.vm("vm-dev-01");
    const stale = { ...fresh, readiness: { ...fresh.readiness, status: "needsAccess" as const, canRequestAccess: true, jit: { ...fresh.readiness.jit, state: "available" as const } } };
    const since = (await t.control.audit()).at(-1)?.seq ?? 0;
    await assert.rejects(h.machine.requestAccess(stale), (e: JitError) => e.code === "JitSourceNotAllowed" && /10\.0\.1\.0\/26/.test(e.message));
    const calls = await t.control.audit(since);
    assert.ok(!calls.some((c) => /roleAssignmentScheduleRequests/i.test(c.path) && c.method === "PUT"), "no activation was sent");
    assert.ok(!calls.some((c) => /\/initiate/i.test(c.path)), "no JIT request was sent");
  });

  it("the function the access flow calls with the policy it reads fresh refuses too", () => {
    assert.throws(() => requireJitSourcePrefix("vm-dev-01", { number: 22, allowedSourceAddressPrefixes: ["10.0.0.0/16"] }, "10.0.1.0/26"), (e: JitError) => e.code === "JitSourceNotAllowed");
    assert.equal(requireJitSourcePrefix("vm-dev-01", { number: 22, allowedSourceAddressPrefixes: ["10.0.1.0/26"] }, "10.0.1.0/26"), "10.0.1.0/26");
  });
});
