/**
 * Contract (b): for every operation the product calls, the simulator's raw JSON carries every field
 * the official example response has, with the same JSON type (support/shape.ts). Fields the simulator
 * cannot know are listed per operation with the reason; an allowance that excuses nothing fails the
 * test, so the lists cannot go stale.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { randomUUID } from "node:crypto";
import type { DeviceCodeCredential } from "@azure/identity";
import { startTestSimulator, type TestSimulator } from "../support/simulator";
import { type AllowList, formatGaps, shapeGaps, unusedAllowances } from "./support/shape";
import { exampleBody, officialExample } from "./support/replay";
import { rawCall } from "./support/simulatorCalls";

const ALICE = "alice@contoso.example";
type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => v as Obj;

/** Asserts simulator ⊇ example, and that every allowance is still needed. */
export function assertShape(what: string, example: unknown, simulated: unknown, allow: AllowList = {}): void {
  const gaps = shapeGaps(example, simulated, allow);
  assert.equal(gaps.length, 0, `${what}: the simulator's response lacks fields of the official example:\n${formatGaps(gaps)}`);
  assert.deepEqual(unusedAllowances(example, simulated, allow), [], `${what}: allowances that excuse nothing (remove them)`);
}

// Allow-lists. Each entry: a field of the official example the simulated world has no source for,
// or a field the example shows only in circumstances the simulated call does not have.
const NO_CONDITION = "ABAC conditions are not modelled: null, which ARM answers when an assignment has no condition (role assignments show \"condition\": null, MicrosoftDocs azure-docs articles/role-based-access-control/role-assignments-list-rest.md)";
const PIM_ITEMS: AllowList = { "value[].properties.condition": NO_CONDITION, "value[].properties.conditionVersion": NO_CONDITION };
const PIM_ONE: AllowList = { "properties.condition": NO_CONDITION, "properties.conditionVersion": NO_CONDITION };
const POLICY_ASSIGNMENTS: AllowList = {
  "value[].properties.policyAssignmentProperties.policy.lastModifiedBy.displayName": "no administrator ever edits a simulated policy: the object is there, its members null",
};
const LINUX = "the compared VM is Linux (linuxConfiguration in its place); the examples show a Windows VM";
const VM_GET: AllowList = {
  "properties.availabilitySet": "availability sets are not modelled",
  "properties.proximityPlacementGroup": "proximity placement groups are not modelled",
  "properties.applicationProfile": "gallery applications are not modelled",
  "properties.userData": "returned only with $expand=userData, which the product never asks for",
  "properties.osProfile.windowsConfiguration": LINUX,
  "properties.diagnosticsProfile.bootDiagnostics.storageUri": "managed boot diagnostics (no storage account): Azure then omits storageUri",
  "properties.extensionsTimeBudget": "VM extensions are not modelled",
  resources: "VM extensions (child resources) are not modelled",
  managedBy: "set only for VMs of a flexible scale set; simulated VMs are standalone",
};
const VM_LIST: AllowList = {
  "value[].properties.availabilitySet": "availability sets are not modelled",
  "value[].properties.storageProfile.osDisk.vhd": "unmanaged (VHD blob) disks only; simulated VMs have managed disks (managedDisk in its place)",
  "value[].properties.osProfile.windowsConfiguration": LINUX,
};
const INSTANCE_VIEW: AllowList = {
  bootDiagnostics: "blob URIs exist only for boot diagnostics in a customer storage account; simulated VMs use managed boot diagnostics",
  extensions: "VM extensions are not modelled",
  patchStatus: "patch assessment is not modelled",
};
const NIC: AllowList = {
  "properties.networkSecurityGroup": "NSGs are modelled as per-VM open ports (scenario openPorts and JIT), not as NSG resources on the NIC",
  "properties.dscpConfiguration": "DSCP configurations are not modelled",
};
const PAGED: AllowList = { nextLink: "present only when another page follows; the simulated lists fit in one page" };
const VAULT_LIST: AllowList = {
  ...PAGED,
  "value[].properties.hsmPoolResourceId": "premium vaults' HSM pools are not modelled (simulated vaults are standard)",
  "value[].systemData": "creation and modification metadata are not modelled",
};

describe("contract (b): simulator responses ⊇ official examples", () => {
  let ts: TestSimulator;
  let alice: DeviceCodeCredential;
  let dev: string;
  let aliceOid: string;

  before(async () => {
    ts = await startTestSimulator("demo", { startVms: false });
    alice = await ts.signInWithDeviceCode(ALICE);
    dev = ts.sim.scenario.subscriptions.find((s) => s.name === "Contoso Dev")!.id;
    const user = ts.sim.scenario.users.find((u) => u.upn === ALICE)!;
    aliceOid = user.objectIds.get(user.homeTenantId)!;
  });
  after(() => ts?.stop());

  const get = async (url: string): Promise<unknown> => {
    const r = await rawCall(ts, alice, "GET", url);
    assert.equal(r.status, 200, `GET ${url}: ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const eligibility = async (rg: string): Promise<Obj> => {
    const list = obj(await get(`/subscriptions/${dev}/resourceGroups/${rg}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?$filter=asTarget()&api-version=2020-10-01`));
    return obj(obj((list.value as unknown[])[0]).properties);
  };
  const activate = async (rg: string, extra: Obj = {}): Promise<{ status: number; json: unknown; name: string }> => {
    const e = await eligibility(rg);
    const name = randomUUID();
    const r = await rawCall(ts, alice, "PUT", `/subscriptions/${dev}/resourceGroups/${rg}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/${name}?api-version=2020-10-01`, {
      properties: {
        principalId: aliceOid,
        roleDefinitionId: e.roleDefinitionId,
        requestType: "SelfActivate",
        // The schedule's name, as the request example has it.
        linkedRoleEligibilityScheduleId: String(e.roleEligibilityScheduleId).split("/").pop(),
        justification: "contract test",
        scheduleInfo: { startDateTime: new Date().toISOString(), expiration: { type: "AfterDuration", endDateTime: null, duration: "PT1H" } },
        ...extra,
      },
    });
    return { ...r, name };
  };

  describe("PIM", () => {
    it("roleEligibilityScheduleInstances list", async () => {
      const body = await get("/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?$filter=asTarget()&api-version=2020-10-01");
      assertShape("eligibility instances", exampleBody("authorization/GetRoleEligibilityScheduleInstancesByScope.json"), body, PIM_ITEMS);
    });

    it("roleAssignmentScheduleInstances list", async () => {
      const body = await get("/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?$filter=asTarget()&api-version=2020-10-01");
      assert.ok((obj(body).value as unknown[]).length > 0, "vm-ready's pre-activation is listed");
      assertShape("assignment instances", exampleBody("authorization/GetRoleAssignmentScheduleInstancesByScope.json"), body, PIM_ITEMS);
    });

    it("roleAssignmentScheduleRequests create (SelfActivate) and get", async () => {
      const created = await activate("rg-vm-dev-01");
      assert.equal(created.status, 201, JSON.stringify(created.json));
      assertShape("activation request (201)", exampleBody("authorization/PutRoleAssignmentScheduleRequest.json", 201), created.json, PIM_ONE);
      const read = await get(`/subscriptions/${dev}/resourceGroups/rg-vm-dev-01/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/${created.name}?api-version=2020-10-01`);
      assertShape("request get", exampleBody("authorization/GetRoleAssignmentScheduleRequestByName.json"), read, PIM_ONE);
    });

    it("roleAssignmentScheduleRequests cancel: 200, no body (the example has none)", async () => {
      const pending = await activate("rg-vm-approval", { ticketInfo: { ticketNumber: "INC-1", ticketSystem: "ServiceNow" } });
      assert.equal(obj(obj(pending.json).properties).status, "PendingApproval");
      const r = await rawCall(ts, alice, "POST", `/subscriptions/${dev}/resourceGroups/rg-vm-approval/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/${pending.name}/cancel?api-version=2020-10-01`);
      assert.equal(r.status, 200);
      assert.equal(r.json, undefined);
    });

    it("roleManagementPolicyAssignments list", async () => {
      const body = await get(`/subscriptions/${dev}/resourceGroups/rg-vm-dev-01/providers/Microsoft.Authorization/roleManagementPolicyAssignments?api-version=2020-10-01`);
      assertShape("policy assignments", exampleBody("authorization/GetRoleManagementPolicyAssignmentByScope.json"), body, POLICY_ASSIGNMENTS);
      const policyId = String(obj(obj((obj(body).value as unknown[])[0]).properties).policyId);
      assertShape("policy get", exampleBody("authorization/GetRoleManagementPolicyByName.json"), await get(`${policyId}?api-version=2020-10-01`), {
        "properties.lastModifiedDateTime": "no administrator ever edits a simulated policy",
        "properties.lastModifiedBy.displayName": "no administrator ever edits a simulated policy: the object is there, its members null",
      });
    });
  });

  describe("JIT", () => {
    it("jitNetworkAccessPolicies list, get, initiate", async () => {
      const list = await get(`/subscriptions/${dev}/providers/Microsoft.Security/jitNetworkAccessPolicies?api-version=2020-01-01`);
      assertShape("JIT list", exampleBody("security/GetJitNetworkAccessPoliciesSubscription_example.json"), list);
      const ready = (obj(list).value as Obj[]).find((p) => String(p.id).includes("/resourceGroups/rg-vm-ready/"))!;
      const one = await get(`${String(ready.id)}?api-version=2020-01-01`);
      assertShape("JIT get", exampleBody("security/GetJitNetworkAccessPolicy_example.json"), one);
      const vmId = String(obj((obj(obj(one).properties).virtualMachines as unknown[])[0]).id);
      const r = await rawCall(ts, alice, "POST", `${String(ready.id)}/initiate?api-version=2020-01-01`, {
        virtualMachines: [{ id: vmId, ports: [{ number: 22, endTimeUtc: new Date(Date.now() + 3600_000).toISOString(), allowedSourceAddressPrefix: "10.0.1.0/26" }] }],
        justification: "contract test",
      });
      assert.equal(r.status, 202, JSON.stringify(r.json));
      assertShape("JIT initiate (202)", exampleBody("security/InitiateJitNetworkAccessPolicy_example.json", 202), r.json);
    });
  });

  describe("Compute", () => {
    const vmPath = (): string => `/subscriptions/${dev}/resourceGroups/rg-vm-dev-01/providers/Microsoft.Compute/virtualMachines/vm-dev-01`;
    it("virtualMachines get", async () => {
      assertShape("VM get", exampleBody("compute/VirtualMachine_Get.json"), await get(`${vmPath()}?api-version=2024-11-01`), VM_GET);
    });
    it("virtualMachines instanceView", async () => {
      assertShape("VM instance view", exampleBody("compute/VirtualMachine_Get_InstanceView.json"), await get(`${vmPath()}/instanceView?api-version=2024-11-01`), INSTANCE_VIEW);
    });
    it("virtualMachines start: 202 with the headers of the example (a long-running operation)", async () => {
      const example = officialExample("compute/VirtualMachine_Start_MaximumSet_Gen.json").responses["202"] as { headers: Record<string, string> };
      assert.equal((await activate("rg-vm-stopped")).status, 201, "the operator role (with start/action) is activated first");
      const r = await rawCall(ts, alice, "POST", `/subscriptions/${dev}/resourceGroups/rg-vm-stopped/providers/Microsoft.Compute/virtualMachines/vm-stopped/start?api-version=2024-11-01`);
      assert.equal(r.status, 202, JSON.stringify(r.json));
      for (const name of Object.keys(example.headers)) assert.match(r.headers[name.toLowerCase()] ?? "", /^https:\/\//, `header ${name}`);
    });
    it("virtualMachines list (subscription)", async () => {
      assertShape("VM list", exampleBody("compute/VirtualMachine_ListBySubscription_ByLocation.json"), await get(`/subscriptions/${dev}/providers/Microsoft.Compute/virtualMachines?api-version=2024-11-01`), VM_LIST);
    });
  });

  describe("Network", () => {
    it("networkInterfaces get", async () => {
      const vm = obj(await get(`/subscriptions/${dev}/resourceGroups/rg-vm-dev-01/providers/Microsoft.Compute/virtualMachines/vm-dev-01?api-version=2024-11-01`));
      const nicId = String(obj((obj(obj(vm.properties).networkProfile).networkInterfaces as unknown[])[0]).id);
      assertShape("NIC get", exampleBody("network/NetworkInterfaceGet.json"), await get(`${nicId}?api-version=2024-05-01`), NIC);
    });
    it("bastionHosts get and list", async () => {
      assertShape("Bastion get", exampleBody("network/BastionHostGet.json"), await get(`/subscriptions/${dev}/resourceGroups/rg-network/providers/Microsoft.Network/bastionHosts/bas-hub?api-version=2024-05-01`));
      assertShape("Bastion list", exampleBody("network/BastionHostListBySubscription.json"), await get(`/subscriptions/${dev}/providers/Microsoft.Network/bastionHosts?api-version=2024-05-01`));
    });
  });

  describe("Key Vault (management)", () => {
    it("vaults list (subscription)", async () => {
      assertShape("Key Vault list", exampleBody("keyvault/listVaultBySubscription.json"), await get(`/subscriptions/${dev}/providers/Microsoft.KeyVault/vaults?api-version=2023-07-01`), VAULT_LIST);
    });
  });

  describe("Resource Graph", () => {
    it("resources: a page with $skipToken, and the last page", async () => {
      const query = "Resources | where type in~ ('microsoft.network/networkinterfaces') | project id, name, type, location, tags | order by id asc";
      const first = await rawCall(ts, alice, "POST", "/providers/Microsoft.ResourceGraph/resources?api-version=2021-03-01", { subscriptions: [dev], query, options: { $top: 1 } });
      assert.equal(first.status, 200, JSON.stringify(first.json));
      assertShape("ARG page", exampleBody("resourcegraph/ResourcesNextPageQuery.json"), first.json);
      const all = await rawCall(ts, alice, "POST", "/providers/Microsoft.ResourceGraph/resources?api-version=2021-03-01", { subscriptions: [dev], query, options: { $top: 1000 } });
      assertShape("ARG last page", exampleBody("resourcegraph/ResourcesBasicQuery.json"), all.json);
    });
  });

  describe("Subscriptions and tenants", () => {
    it("subscriptions list", async () => {
      assertShape("subscriptions", exampleBody("resources/GetSubscriptions.json"), await get("/subscriptions?api-version=2022-12-01"), PAGED);
    });
    it("tenants list", async () => {
      assertShape("tenants", exampleBody("resources/GetTenants.json"), await get("/tenants?api-version=2022-12-01"), PAGED);
    });
  });

  describe("Key Vault", () => {
    it("get secret", async () => {
      const vault = ts.sim.scenario.vaults.find((v) => v.name === "kv-contoso")!.uri;
      const r = await rawCall(ts, alice, "GET", `${vault}/secrets/vm-dev-01-ssh-key?api-version=7.5`, undefined, `${ts.settings.keyVaultAudience}/.default`);
      assert.equal(r.status, 200);
      assertShape("secret", exampleBody("keyvault/GetSecret-example.json"), r.json);
    });
  });
});
