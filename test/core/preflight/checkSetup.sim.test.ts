/**
 * "Check my Azure setup" against the setup-gaps scenario: one VM with every prerequisite of
 * docs/azure-setup.md, then one VM per prerequisite with exactly that one missing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AzureContext } from "../../../src/core/azure/azureContext";
import { createSecretReader } from "../../../src/core/azure/secretReader";
import { type Inventory, loadInventory } from "../../../src/core/inventory/loadInventory";
import { checkSetup, shellQuote, type SetupFinding, type SetupRequirementId } from "../../../src/core/preflight/checkSetup";
import { actionMatches, roleAllows } from "../../../src/core/preflight/roleActions";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { signedInContext } from "../access/support/simContext";

const REQUIREMENTS: SetupRequirementId[] = ["pimEligibility", "roleActions", "jitPolicy", "jitSource", "bastion", "bastionNativeClient", "secretTag", "secretAccess", "conditionalAccess"];

describe("checkSetup (simulator, setup-gaps scenario)", () => {
  let t: TestSimulator;
  let ctx: AzureContext;
  let inv: Inventory;
  const check = async (name: string): Promise<Map<SetupRequirementId, SetupFinding>> => {
    const vm = inv.vms.find((v) => v.name === name) ?? assert.fail(`${name} is not in the inventory`);
    const findings = await checkSetup(vm, { ctx, readSecret: createSecretReader(ctx) });
    assert.deepEqual(findings.map((f) => f.requirement), REQUIREMENTS, "every prerequisite, in the guide's order");
    return new Map(findings.map((f) => [f.requirement, f]));
  };
  const missing = (findings: Map<SetupRequirementId, SetupFinding>): SetupRequirementId[] => [...findings.values()].filter((f) => f.status === "missing").map((f) => f.requirement);

  before(async () => {
    t = await startTestSimulator("setup-gaps", { startVms: false });
    ctx = await signedInContext(t);
    inv = await loadInventory(ctx, { includeUncoveredVms: true });
  });
  after(async () => {
    await t?.stop();
  });

  it("vm-complete: every prerequisite is present (authentication context is optional)", async () => {
    const f = await check("vm-complete");
    assert.deepEqual([...f.values()].filter((x) => x.status !== "present").map((x) => `${x.requirement}:${x.status}`), ["conditionalAccess:optional"]);
    assert.match(f.get("jitSource")?.detail ?? "", /10\.0\.1\.0\/26/);
  });

  const gaps: [vm: string, requirement: SetupRequirementId, fix: RegExp][] = [
    ["vm-no-eligibility", "pimEligibility", /roleEligibilityScheduleRequests\/"\$\(uuidgen\)"'\?api-version=2020-10-01' --body/],
    ["vm-weak-role", "roleActions", /jitNetworkAccessPolicies\/initiate\/action|role definition create/],
    ["vm-no-jit", "jitPolicy", /jitNetworkAccessPolicies\/default/],
    ["vm-no-port22", "jitPolicy", /jitNetworkAccessPolicies\/default/],
    ["vm-wrong-source", "jitSource", /jitNetworkAccessPolicies/],
    ["vm-no-bastion", "bastion", /az network bastion create .*--enable-tunneling true/],
    ["vm-basic-bastion", "bastionNativeClient", /az network bastion update --name bas-basic --resource-group rg-network --sku Standard --enable-tunneling true/],
    ["vm-no-tunneling", "bastionNativeClient", /az network bastion update --name bas-notunnel --resource-group rg-network --enable-tunneling true/],
    ["vm-untagged", "secretTag", /az tag update .*azure-jit-connect\.secret=/],
    ["vm-no-secret-access", "secretAccess", /az role assignment create --role 'Key Vault Secrets User'/],
  ];
  for (const [vm, requirement, fix] of gaps) {
    it(`${vm}: only ${requirement} is missing, with a portal path, an az command and a doc link`, async () => {
      const f = await check(vm);
      assert.deepEqual(missing(f), [requirement]);
      const finding = f.get(requirement)!;
      assert.ok(finding.fix, "a fix");
      assert.match(finding.fix.az ?? "", fix);
      assert.ok(finding.fix.portal.length > 10);
      assert.match(finding.fix.doc, /^https:\/\/learn\.microsoft\.com\//);
    });
  }

  it("says what it cannot tell rather than guessing", async () => {
    const noBastion = await check("vm-no-bastion");
    assert.equal(noBastion.get("bastionNativeClient")?.status, "unknown");
    assert.equal(noBastion.get("jitSource")?.status, "unknown", "no Bastion subnet prefix to compare");
    const noJit = await check("vm-no-jit");
    assert.equal(noJit.get("jitSource")?.status, "unknown");
    const untagged = await check("vm-untagged");
    assert.equal(untagged.get("secretAccess")?.status, "unknown");
    const noRole = await check("vm-no-eligibility");
    assert.equal(noRole.get("roleActions")?.status, "unknown");
  });

  it("reports an authentication context the PIM policy requires", async () => {
    const f = await check("vm-step-up");
    assert.equal(f.get("conditionalAccess")?.status, "present");
    assert.match(f.get("conditionalAccess")?.detail ?? "", /c1/);
  });

  it("reads only: the simulator's audit log shows no write to Azure", async () => {
    const since = await t.control.lastAuditSeq();
    await check("vm-complete");
    const records = await t.control.audit(since);
    assert.ok(records.length > 0, "the check did read something");
    assert.deepEqual(records.filter((r) => r.service !== "login" && r.method !== "GET").map((r) => `${r.method} ${r.path}`), []);
  });
});

describe("role action matching", () => {
  it("follows Azure's wildcards and per-block notActions", () => {
    assert.ok(actionMatches("Microsoft.Security/*", "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action"));
    assert.ok(actionMatches("*", "anything/at/all"));
    assert.ok(actionMatches("microsoft.security/locations/jitnetworkaccesspolicies/*/action", "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action"));
    assert.ok(!actionMatches("Microsoft.Compute/*", "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action"));
    const contributorLike = { permissions: [{ actions: ["*"], notActions: ["Microsoft.Security/*"], dataActions: [], notDataActions: [] }] };
    assert.equal(roleAllows(contributorLike, "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action"), false);
    assert.equal(roleAllows(contributorLike, "Microsoft.Compute/virtualMachines/read"), true);
  });

  it("quotes what Azure names for a shell", () => {
    assert.equal(shellQuote("rg-network"), "rg-network");
    assert.equal(shellQuote("a b;rm -rf ~"), "'a b;rm -rf ~'");
    assert.equal(shellQuote("it's"), `'it'"'"'s'`);
  });
});
