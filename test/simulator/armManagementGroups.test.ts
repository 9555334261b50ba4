/**
 * Management groups in the simulated ARM (azure-facts §3): eligibilities inherited from a group are
 * listed at `/` with asTarget(), in unfiltered lists at a subscription, and (behind a switch) in
 * asTarget() lists at a subscription; SelfActivate works at the group and at a narrower child scope,
 * and an activation at the group covers every VM below it; getEntities gives the hierarchy.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { DeviceCodeCredential } from "@azure/identity";
import { startTestSimulator, type TestSimulator } from "../support/simulator";
import { clients } from "./sdkClients";

const ALICE = "alice@contoso.example";
const MG = "/providers/Microsoft.Management/managementGroups/contoso-research";
type Row = { properties: { scope: string; roleDefinitionId: string; roleEligibilityScheduleId: string; principalId: string } };

async function eligibilitiesAt(ts: TestSimulator, who: DeviceCodeCredential, scope: string, filter?: string): Promise<Row[]> {
  const q = filter ? `&$filter=${encodeURIComponent(filter)}` : "";
  const r = await clients(ts, who).raw("GET", `${scope}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?api-version=2020-10-01${q}`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return (r.json as { value: Row[] }).value;
}

describe("ARM management groups (demo: contoso-research holds Contoso Data Science)", () => {
  let ts: TestSimulator;
  let alice: DeviceCodeCredential;
  let ds: string;
  before(async () => {
    ts = await startTestSimulator("demo", { startVms: false });
    alice = await ts.signInWithDeviceCode(ALICE);
    ds = ts.sim.scenario.subscriptions.find((s) => s.name === "Contoso Data Science")!.id;
  });
  after(() => ts.stop());

  it("asTarget() at / returns the group's row: group scope, tenant-form role id", async () => {
    const rows = await eligibilitiesAt(ts, alice, "", "asTarget()");
    const row = rows.find((r) => r.properties.scope === MG);
    assert.ok(row, "the management-group eligibility is listed");
    assert.match(row.properties.roleDefinitionId, /^\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]+$/);
    assert.ok(rows.some((r) => r.properties.scope.startsWith("/subscriptions/")), "next to subscription-rooted rows");
  });

  it("an unfiltered list at a subscription includes the inherited row; asTarget() there does not (switch off)", async () => {
    assert.ok((await eligibilitiesAt(ts, alice, `/subscriptions/${ds}`)).some((r) => r.properties.scope === MG));
    assert.ok(!(await eligibilitiesAt(ts, alice, `/subscriptions/${ds}`, "asTarget()")).some((r) => r.properties.scope === MG));
    const dev = ts.sim.scenario.subscriptions.find((s) => s.name === "Contoso Dev")!.id;
    assert.ok(!(await eligibilitiesAt(ts, alice, `/subscriptions/${dev}`)).some((r) => r.properties.scope === MG), "not above a subscription outside the group");
  });

  it("getEntities lists the caller's subscriptions with their parentNameChain (root group = tenant id)", async () => {
    const r = await clients(ts, alice).raw("POST", "/providers/Microsoft.Management/getEntities?api-version=2020-05-01");
    assert.equal(r.status, 200);
    const value = (r.json as { value: { type: string; name: string; properties: { parentNameChain: string[]; parent?: { id: string } } }[] }).value;
    const tenant = ts.sim.scenario.tenants.find((t) => t.name === "Contoso")!.id;
    const sub = value.find((e) => e.type === "/subscriptions" && e.name === ds);
    assert.deepEqual(sub?.properties.parentNameChain, [tenant, "contoso-research"]);
    assert.equal(sub?.properties.parent?.id, MG);
    assert.ok(value.some((e) => e.type === "Microsoft.Management/managementGroups" && e.name === "contoso-research"));
  });

  it("SelfActivate at a narrower child scope (linking the group's schedule), then at the group itself; the group activation covers the VMs below", async () => {
    const row = (await eligibilitiesAt(ts, alice, "", "asTarget()")).find((r) => r.properties.scope === MG)!;
    const auth = clients(ts, alice).authorization;
    const activate = (scope: string) =>
      auth.roleAssignmentScheduleRequests.create(scope.replace(/^\//, ""), randomUUID(), {
        principalId: row.properties.principalId,
        roleDefinitionId: row.properties.roleDefinitionId,
        requestType: "SelfActivate",
        linkedRoleEligibilityScheduleId: row.properties.roleEligibilityScheduleId.split("/").pop(), // the schedule name, as in the API example
        justification: "management group test",
        scheduleInfo: { startDateTime: new Date(), expiration: { type: "AfterDuration", duration: "PT1H" } },
      });
    const vm = ts.sim.scenario.vms.find((v) => v.name === "gpu-ds-01")!;
    const initiate = () =>
      clients(ts, alice, ds).security.jitNetworkAccessPolicies.initiate("rg-gpu-ds-01", "westeurope", "default", {
        virtualMachines: [{ id: vm.id, ports: [{ number: 22, allowedSourceAddressPrefix: "10.0.1.0/26", endTimeUtc: new Date(Date.now() + 1800_000) }] }],
      });
    await assert.rejects(initiate(), (e: { statusCode?: number }) => e.statusCode === 403, "Reader alone cannot initiate");
    const child = await activate(`/subscriptions/${ds}/resourceGroups/rg-gpu-ds-01`);
    assert.equal(child.status, "Provisioned");
    assert.ok((await initiate()).virtualMachines.length > 0, "the child-scope activation grants the role there");
    const top = await activate(MG);
    assert.equal(top.status, "PendingApproval", "the group's own policy (approval) governs an activation at the group");
  });
});

describe("ARM management groups, switch asTargetIncludesInherited", () => {
  let ts: TestSimulator;
  let alice: DeviceCodeCredential;
  before(async () => {
    ts = await startTestSimulator("demo", {
      startVms: false,
      simulation: { asTargetIncludesInherited: true },
      edit: (s) => {
        const policy = s.pimPolicies?.find((p) => p.scope === "mg:contoso-research");
        if (policy) policy.requireApproval = false;
      },
    });
    alice = await ts.signInWithDeviceCode(ALICE);
  });
  after(() => ts.stop());

  it("asTarget() at a subscription under the group includes the inherited row", async () => {
    const ds = ts.sim.scenario.subscriptions.find((s) => s.name === "Contoso Data Science")!.id;
    assert.ok((await eligibilitiesAt(ts, alice, `/subscriptions/${ds}`, "asTarget()")).some((r) => r.properties.scope === MG));
  });

  it("an activation at the group grants the role on a VM below it (RBAC follows the hierarchy)", async () => {
    const ds = ts.sim.scenario.subscriptions.find((s) => s.name === "Contoso Data Science")!.id;
    const row = (await eligibilitiesAt(ts, alice, "", "asTarget()")).find((r) => r.properties.scope === MG)!;
    const created = await clients(ts, alice).authorization.roleAssignmentScheduleRequests.create(MG.slice(1), randomUUID(), {
      principalId: row.properties.principalId,
      roleDefinitionId: row.properties.roleDefinitionId,
      requestType: "SelfActivate",
      linkedRoleEligibilityScheduleId: row.properties.roleEligibilityScheduleId.split("/").pop(), // the schedule name, as in the API example
      justification: "group activation",
      scheduleInfo: { startDateTime: new Date(), expiration: { type: "AfterDuration", duration: "PT1H" } },
    });
    assert.equal(created.status, "Provisioned");
    const vm = ts.sim.scenario.vms.find((v) => v.name === "gpu-ds-01")!;
    const jit = await clients(ts, alice, ds).security.jitNetworkAccessPolicies.initiate("rg-gpu-ds-01", "westeurope", "default", {
      virtualMachines: [{ id: vm.id, ports: [{ number: 22, allowedSourceAddressPrefix: "10.0.1.0/26", endTimeUtc: new Date(Date.now() + 1800_000) }] }],
    });
    assert.ok(jit.virtualMachines.length > 0);
  });
});
