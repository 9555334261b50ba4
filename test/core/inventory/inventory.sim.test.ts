import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AzureContext } from "../../../src/core/azure/azureContext";
import { type Inventory, loadInventory } from "../../../src/core/inventory/loadInventory";
import { PimPolicyCache } from "../../../src/core/inventory/pimPolicyCache";
import type { VmStatus } from "../../../src/core/inventory/readiness";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { productCredential, signedInContext } from "../access/support/simContext";

/** Each row of the ARCHITECTURE.md demo table: the status and what the first reason must say. */
const TABLE: Record<string, [VmStatus, RegExp]> = {
  "vm-ready": ["ready", /JIT access to port 22 is open/],
  "vm-dev-01": ["needsAccess", /must be activated in PIM \(justification, at most 8 h\)/],
  "vm-approval": ["needsAccess", /approval required, justification, ticket number/],
  "vm-mfa": ["needsAccess", /multi-factor authentication, Conditional Access authentication context c1/],
  "vm-nojit": ["noJitPolicy", /No Defender for Cloud JIT policy covers this VM/],
  "vm-legacy": ["bastionNoNativeClient", /bas-legacy uses the Basic SKU/],
  "vm-locked": ["bastionNoNativeClient", /bas-locked has native client support turned off/],
  "vm-stopped": ["notRunning", /deallocated\. Start it/],
  "vm-password": ["needsAccess", /must be activated/],
  "vm-nosecret": ["needsAccess", /must be activated/],
  "vm-forbidden": ["needsAccess", /must be activated/],
  "gpu-ds-01": ["needsAccess", /must be activated/],
  "win-01": ["unsupportedOs", /Windows VM: SSH is not offered/],
  "vm-fabrikam": ["needsAccess", /must be activated/],
};

function byName(inv: Inventory): Map<string, Inventory["vms"][number]> {
  return new Map(inv.vms.map((v) => [v.name, v]));
}

describe("inventory of the demo scenario (simulator)", () => {
  let t: TestSimulator;
  let ctx: AzureContext;
  let inv: Inventory;
  const prompts: string[] = [];

  before(async () => {
    t = await startTestSimulator("demo", { startVms: false });
    ctx = await signedInContext(t, "alice@contoso.example", { credential: await productCredential(t, "alice@contoso.example", { prompts }) });
    inv = await loadInventory(ctx);
  });
  after(async () => {
    await t?.stop();
  });

  it("lists every demo VM with the state of its table row", () => {
    const vms = byName(inv);
    assert.deepEqual([...vms.keys()].sort(), Object.keys(TABLE).sort());
    for (const [name, [status, reason]] of Object.entries(TABLE)) {
      const vm = vms.get(name);
      assert.equal(vm?.readiness.status, status, name);
      assert.match(vm?.readiness.reasons[0] ?? "", reason, name);
    }
    assert.deepEqual(inv.partialErrors, []);
    assert.equal(inv.source, "resourceGraph");
  });

  it("joins the facts each VM needs", () => {
    const vms = byName(inv);
    const dev = vms.get("vm-dev-01");
    assert.equal(dev?.subscriptionName, "Contoso Dev");
    assert.equal(dev?.tenantName, "Contoso");
    assert.equal(dev?.bastion?.name, "bas-hub");
    assert.equal(dev?.readiness.bastion.relation, "peered");
    assert.equal(dev?.readiness.bastion.subnetPrefix, "10.0.1.0/26");
    assert.ok(dev?.readiness.bastion.dnsName?.startsWith("localhost:"), "the data-plane host the tunnel needs");
    assert.equal(dev?.readiness.maxDurations.effectiveMs, 3 * 3600_000);
    assert.equal(dev?.readiness.credential.source, "tag");
    assert.match(dev?.readiness.credential.secretUri ?? "", /^https:\/\/kv-contoso\.vault\.localhost:\d+\/secrets\/vm-dev-01-ssh-key/);
    assert.ok(dev?.privateIp);
    assert.equal(vms.get("vm-nosecret")?.readiness.credential.source, "unknown");
    assert.ok(vms.get("vm-nosecret")?.readiness.credential.username, "defaults to the admin user");
    const ready = vms.get("vm-ready");
    assert.equal(ready?.readiness.role.state, "active");
    assert.ok((ready?.readiness.role.endsAt ?? 0) > ctx.clock.now() + 7 * 3600_000);
    assert.equal(vms.get("vm-approval")?.readiness.needs.approval, true);
    assert.equal(vms.get("vm-fabrikam")?.tenantName, "Fabrikam");
    assert.equal(vms.get("vm-fabrikam")?.bastion?.name, "bas-fabrikam");
    assert.equal(vms.get("vm-fabrikam")?.readiness.bastion.relation, "sameVnet");
  });

  it("lists at tenant scope with canonical paths only (no //providers/... that the SDK builds from an empty scope)", async () => {
    const since = (await t.control.audit()).at(-1)?.seq ?? 0;
    await loadInventory(ctx);
    const entries = await t.control.audit(since);
    const tenantLists = entries.filter((e) => /^\/providers\/Microsoft\.Authorization\/role(Eligibility|Assignment)ScheduleInstances/i.test(e.path));
    assert.ok(tenantLists.length >= 2, "the tenant-scope PIM lists ran");
    assert.deepEqual(entries.filter((e) => e.nonCanonicalPath).map((e) => e.nonCanonicalPath), []);
  });

  it("queries Resource Graph with a stable api-version, not the SDK's preview default", async () => {
    const since = (await t.control.audit()).at(-1)?.seq ?? 0;
    await loadInventory(ctx);
    const versions = new Set((await t.control.audit(since)).filter((e) => e.service === "arm.graph").map((e) => new URLSearchParams(e.path.split("?")[1] ?? "").get("api-version")));
    assert.deepEqual([...versions], ["2021-03-01"]);
  });

  it("shows the VMs a management-group eligibility covers, activated at the VM's resource group", async () => {
    const gpu = byName(inv).get("gpu-ds-01");
    const mg = "/providers/Microsoft.Management/managementGroups/contoso-research";
    assert.equal(gpu?.eligibility?.grantedScope, mg, "the eligibility is the management group's");
    assert.match(gpu?.eligibility?.roleDefinitionId ?? "", /^\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]+$/, "tenant-form role id");
    assert.equal(gpu?.eligibility?.scope, `/subscriptions/${gpu?.subscriptionId}/resourceGroups/rg-gpu-ds-01`);
    assert.equal(gpu?.readiness.role.scope, gpu?.eligibility?.scope, "readiness and the access flow use the activation scope");
    assert.equal(gpu?.subscriptionName, "Contoso Data Science");
    const cache = new PimPolicyCache();
    const since = (await t.control.audit()).at(-1)?.seq ?? 0;
    const again = await loadInventory(ctx, { policyCache: cache });
    const calls = await t.control.audit(since);
    assert.ok(calls.some((e) => e.method === "POST" && e.path.startsWith("/providers/Microsoft.Management/getEntities")), "the hierarchy came from getEntities");
    assert.ok(calls.some((e) => e.path.includes("rg-gpu-ds-01/providers/Microsoft.Authorization/roleManagementPolicyAssignments")), "the policy read is the resource group's (policies are not inherited)");
    assert.equal(byName(again).get("gpu-ds-01")?.readiness.maxDurations.pimMs, 8 * 3600_000, "the resource group's PT8H, not the group's PT4H");
  });

  it("one sign-in serves the guest tenant too (ARM accepted the guest tenant's token)", () => {
    const tenants = new Set(inv.vms.map((v) => v.tenantId));
    assert.equal(tenants.size, 2);
    assert.equal(prompts.length, 1, `sign-ins: ${prompts.join(", ")}`);
  });

  it("falls back to per-subscription SDK listing when Resource Graph is unavailable (404), with the same result", async () => {
    const id = await t.control.addFault({ match: { service: "arm.graph" }, status: 404 });
    try {
      const fallback = await loadInventory(ctx);
      assert.equal(fallback.source, "sdk");
      const a = byName(inv);
      for (const vm of fallback.vms) {
        assert.equal(vm.readiness.status, a.get(vm.name)?.readiness.status, vm.name);
        assert.equal(vm.readiness.power, a.get(vm.name)?.readiness.power, vm.name);
        assert.equal(vm.readiness.bastion.name, a.get(vm.name)?.readiness.bastion.name, vm.name);
      }
      assert.equal(fallback.vms.length, inv.vms.length);
    } finally {
      await t.control.clearFaults(id);
    }
  });

  it("falls back on 503 too (after the SDK's retries), and when the setting turns Resource Graph off", async () => {
    const id = await t.control.addFault({ match: { service: "arm.graph" }, status: 503, retryAfterSeconds: 0 });
    try {
      const fallback = await loadInventory(ctx);
      assert.equal(fallback.source, "sdk");
      assert.equal(fallback.vms.length, 14);
    } finally {
      await t.control.clearFaults(id);
    }
    const since = (await t.control.audit()).at(-1)?.seq ?? 0;
    const off = await loadInventory(ctx, { useResourceGraph: false });
    assert.equal(off.source, "sdk");
    assert.ok(!(await t.control.audit(since)).some((e) => e.service === "arm.graph"), "no Resource Graph call at all");
  });

  it("a 403 on one subscription is a partial error, not a failure", async () => {
    const ds = inv.vms.find((v) => v.name === "gpu-ds-01")?.subscriptionId ?? "";
    const id = await t.control.addFault({ match: { service: "arm.jit", pathRegex: ds }, status: 403 });
    try {
      const partial = await loadInventory(ctx);
      assert.equal(partial.vms.length, 14);
      assert.equal(partial.partialErrors.length, 1);
      assert.equal(partial.partialErrors[0]?.code, "Forbidden");
      assert.equal(partial.partialErrors[0]?.subscriptionId, ds);
      assert.match(partial.partialErrors[0]?.what ?? "", /JIT policies of subscription Contoso Data Science/);
      assert.equal(byName(partial).get("gpu-ds-01")?.readiness.status, "noJitPolicy", "its JIT state is unknown");
      assert.equal(byName(partial).get("vm-dev-01")?.readiness.status, "needsAccess", "the other subscription is intact");
    } finally {
      await t.control.clearFaults(id);
    }
  });

  it("429 with Retry-After: the SDK waits as told and the call succeeds", async () => {
    const since = (await t.control.audit()).at(-1)?.seq ?? 0;
    await t.control.addFault({ match: { service: "arm.jit" }, status: 429, retryAfterSeconds: 1, count: 1 });
    try {
      const result = await loadInventory(ctx);
      assert.deepEqual(result.partialErrors, []);
      const jit = (await t.control.audit(since)).filter((e) => e.service === "arm.jit");
      const throttled = jit.find((e) => e.status === 429);
      assert.ok(throttled, "the fault fired");
      const retry = jit.find((e) => e.seq > throttled.seq && e.path === throttled.path && e.status === 200);
      assert.ok(retry, "the same request was retried");
      assert.ok(Date.parse(retry.time) - Date.parse(throttled.time) >= 900, "not before Retry-After");
    } finally {
      await t.control.clearFaults(); // a counted fault removes itself once used
    }
  });

  it("429 that does not stop becomes a Throttled partial error", async () => {
    const ds = inv.vms.find((v) => v.name === "gpu-ds-01")?.subscriptionId ?? "";
    const id = await t.control.addFault({ match: { service: "arm.jit", pathRegex: ds }, status: 429, retryAfterSeconds: 0 });
    try {
      const result = await loadInventory(ctx);
      assert.equal(result.partialErrors[0]?.code, "Throttled");
    } finally {
      await t.control.clearFaults(id);
    }
  });

  it("reads PIM policies only for VMs whose access can be requested, within a per-load budget, cached across loads", async () => {
    const since = (await t.control.audit()).at(-1)?.seq ?? 0;
    const cache = new PimPolicyCache();
    const first = await loadInventory(ctx, { policyCache: cache, maxPolicyReads: 3 });
    const policyReads = (await t.control.audit(since)).filter((e) => e.path.includes("roleManagementPolicyAssignments"));
    assert.equal(policyReads.length, 3);
    for (const blocked of ["rg-vm-legacy", "rg-vm-locked", "rg-vm-nojit", "rg-win-01", "rg-vm-ready"]) assert.ok(!policyReads.some((e) => e.path.includes(`${blocked}/`)), `no policy read for ${blocked}`);
    const unreadVms = first.vms.filter((v) => v.readiness.reasons.some((r) => /its policy is read when you request access/.test(r)));
    assert.equal(first.unreadPolicies, unreadVms.length);
    assert.ok(first.unreadPolicies > 0);
    let loads = 1;
    let latest = first;
    while (latest.unreadPolicies > 0 && loads < 10) {
      latest = await loadInventory(ctx, { policyCache: cache, maxPolicyReads: 3 });
      loads++;
    }
    assert.equal(latest.unreadPolicies, 0);
    assert.ok(loads >= 3, "the budget held");
    assert.equal(byName(latest).get("vm-approval")?.readiness.needs.approval, true, "complete once read");
    const since2 = (await t.control.audit()).at(-1)?.seq ?? 0;
    await loadInventory(ctx, { policyCache: cache });
    assert.equal((await t.control.audit(since2)).filter((e) => e.path.includes("roleManagementPolicyAssignments")).length, 0, "all from the cache");
  });

  it("starting a stopped VM shows up on the next load", async () => {
    await t.control.setPower("vm-stopped", "running");
    const again = await loadInventory(ctx);
    assert.equal(byName(again).get("vm-stopped")?.readiness.status, "needsAccess");
  });
});
