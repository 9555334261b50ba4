import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import { after, before, describe, it } from "node:test";
import { getArmAccessToken } from "../../../src/core/azure/azureContext";
import { getJitPolicy } from "../../../src/core/inventory/jitReads";
import { type JitError } from "../../../src/core/errors";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { accessHarness, type Harness } from "./support/accessHarness";
import { memoryLogger, signedInContext } from "./support/simContext";

const H = 3600_000;

describe("request access (simulator)", () => {
  let t: TestSimulator;
  let h: Harness;
  const logger = memoryLogger();

  before(async () => {
    t = await startTestSimulator("demo", { startVms: false });
    h = await accessHarness(await signedInContext(t, "alice@contoso.example", { logger }), { values: { durationMs: 10 * H, justification: "Deploy hotfix 42" } });
  });
  after(async () => {
    await h?.dispose();
    await t?.stop();
  });

  it("vm-dev-01: activates the role, opens JIT from the Bastion subnet, and records a grant", async () => {
    const vm = await h.vm("vm-dev-01");
    const grant = await h.machine.requestAccess(vm);

    // Asked only for what the policy requires: a justification (no ticket), max = min(PIM 8 h, JIT 3 h).
    const asked = h.asked.at(-1);
    assert.deepEqual(asked?.needs, { justification: true, ticket: false });
    assert.equal(asked?.approvalRequired, false);
    assert.equal(asked?.maxDurationMs, 3 * H);

    // The 10 h asked for were clamped to 3 h, for the role and the JIT window alike.
    const now = h.ctx.clock.now();
    assert.ok(grant.jit.endsAt - now <= 3 * H + 60_000 && grant.jit.endsAt - now > 3 * H - 5 * 60_000, `JIT window ${(grant.jit.endsAt - now) / 60_000} min`);
    assert.ok(grant.roleAssignment.endsAt !== undefined && Math.abs(grant.roleAssignment.endsAt - grant.jit.endsAt) < 2 * 60_000);
    assert.equal(grant.expiresAt, Math.min(grant.roleAssignment.endsAt, grant.jit.endsAt));
    assert.equal(grant.jit.sourcePrefix, "10.0.1.0/26", "the Bastion subnet, not the user's IP");
    assert.equal(grant.justification, "Deploy hotfix 42");
    assert.ok(grant.roleAssignment.requestName);

    // Azure's view: the JIT request is Initiated and covers the Bastion subnet prefix.
    const policy = await getJitPolicy(h.ctx, vm.tenantId, grant.jit.policyId.includes("rg-vm-dev-01") ? { subscriptionId: vm.subscriptionId, resourceGroup: "rg-vm-dev-01", location: vm.jitPolicy?.location ?? "", name: vm.jitPolicy?.name ?? "" } : assert.fail("policy"));
    const open = policy?.requests.find((r) => r.vmId.toLowerCase() === vm.id.toLowerCase() && r.status === "Initiated");
    assert.deepEqual(open?.sourcePrefixes, ["10.0.1.0/26"]);
    const pim = (await t.control.pimRequests()).find((r) => r.name === grant.roleAssignment.requestName);
    assert.equal(pim?.status, "Provisioned");
    assert.equal(pim?.justification, "Deploy hotfix 42");
    // The request's shape follows the API example: the eligibility schedule's name, and a start time.
    assert.match(pim?.linkedRoleEligibilityScheduleId ?? "", /^[0-9a-f-]{36}$/);
    assert.ok(pim?.sentStartDateTime && Math.abs(Date.parse(pim.sentStartDateTime) - grant.grantedAt) < 5 * 60_000, String(pim?.sentStartDateTime));

    // One progress notification's worth of steps, in order.
    const steps = h.events.filter((e) => e.vmId === vm.id && e.step).map((e) => e.step?.message);
    assert.deepEqual(steps, ["Reading the access policies…", "Waiting for your answers in the request form…", 'Activating role "JIT VM Operator" (1/3)…', "Waiting for the role to take effect (2/3)…", "Opening JIT access to port 22 (3/3)…", "Opening JIT access to port 22 (3/3)…"]);
    assert.equal(h.machine.state(vm.id).kind, "granted");

    // Persisted owner-only, and the inventory now says ready.
    if (process.platform !== "win32") assert.equal((await fsp.stat(h.store.file)).mode & 0o777, 0o600);
    const after = await h.vm("vm-dev-01");
    assert.equal(after.readiness.status, "ready");
    assert.equal(after.readiness.grant?.state, "granted");

    // The journal has the story, without secrets.
    const records = await h.journal.read({ vmId: vm.id });
    assert.deepEqual(records.map((r) => r.type), ["elevationRequested", "jitInitiated", "accessGranted"]);
    assert.equal(records[0]?.justification, "Deploy hotfix 42");
    assert.equal(records[0]?.requestName, grant.roleAssignment.requestName);
  });

  it("keeps the SSH alias with the grant across a restart", async () => {
    const vm = await h.vm("vm-dev-01");
    await h.machine.setAlias(vm.id, "azjit-vm-dev-01");
    const { machine } = await h.restart();
    const state = machine.state(vm.id);
    assert.equal(state.kind === "granted" ? state.grant.alias : undefined, "azjit-vm-dev-01");
    assert.equal(machine.grants()[0]?.alias, "azjit-vm-dev-01");
  });

  it("never writes a token to the journal, the store or the log", async () => {
    const token = (await getArmAccessToken(h.ctx, undefined)).token;
    const journal = await fsp.readFile(h.journal.file, "utf8");
    const store = await fsp.readFile(h.store.file, "utf8");
    for (const [name, text] of [["journal", journal], ["store", store], ["log", logger.lines.join("\n")]] as const) {
      assert.ok(!text.includes(token), `${name} contains the access token`);
      assert.ok(!text.includes(token.split(".")[1] ?? "x"), `${name} contains the token payload`);
    }
  });

  it("refuses a second request for the same VM while one runs", async () => {
    const vm = await h.vm("gpu-ds-01");
    const first = h.machine.requestAccess(vm);
    await assert.rejects(h.machine.requestAccess(vm), (e: JitError) => e.code === "AccessInProgress");
    await first;
  });

  it("reuses an active role instead of failing (vm-ready is pre-activated)", async () => {
    const vm = await h.vm("vm-ready");
    const before = (await t.control.pimRequests()).length;
    const grant = await h.machine.requestAccess(vm);
    assert.equal(grant.roleAssignment.reused, true);
    assert.equal((await t.control.pimRequests()).length, before, "no activation request");
    assert.deepEqual(h.asked.at(-1)?.needs, { justification: false, ticket: false }, "no PIM input when no activation");
    const steps = h.events.filter((e) => e.vmId === vm.id && e.step).map((e) => e.step?.message);
    assert.ok(steps.includes("Opening JIT access to port 22 (1/1)…"));
  });

  it("refuses VMs that cannot work before asking anything", async () => {
    const before = (await t.control.pimRequests()).length;
    const asked = h.asked.length;
    const cases: [string, string][] = [
      ["vm-nojit", "NoJitPolicy"],
      ["vm-legacy", "BastionSkuUnsupported"],
      ["vm-locked", "BastionTunnelingDisabled"],
      ["win-01", "VmIsWindows"],
    ];
    for (const [name, code] of cases) {
      await assert.rejects(h.machine.requestAccess(await h.vm(name)), (e: JitError) => e.code === code && e.message.length > 20, name);
    }
    assert.equal(h.asked.length, asked, "the user was not asked");
    assert.equal((await t.control.pimRequests()).length, before, "nothing was sent to PIM");
  });

  it("works in a guest tenant (vm-fabrikam, the guest's own object id)", async () => {
    const vm = await h.vm("vm-fabrikam");
    assert.notEqual(vm.tenantId, (await h.vm("vm-dev-01")).tenantId);
    const grant = await h.machine.requestAccess(vm);
    assert.equal(grant.tenantId, vm.tenantId);
    assert.equal(grant.jit.sourcePrefix, "10.10.1.0/26");
  });
});
