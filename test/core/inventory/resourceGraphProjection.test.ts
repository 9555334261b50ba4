import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type AzureContext, getCallerIdentity } from "../../../src/core/azure/azureContext";
import { listSubscriptions } from "../../../src/core/inventory/subscriptions";
import { nicFromAzure, vmFromAzure } from "../../../src/core/inventory/normalize";
import { ARG_TYPES, buildQuery, NIC_PROPERTY_PATHS, queryResources, rowWithPaths, VM_PROPERTY_PATHS } from "../../../src/core/inventory/resourceGraph";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { signedInContext } from "../access/support/simContext";

/** The inventory asks Resource Graph only for the properties it reads of VMs and NICs. */
describe("Resource Graph projection of properties", () => {
  it("projects each path into a column of its own, after the top-level columns", () => {
    assert.equal(
      buildQuery(["microsoft.network/networkinterfaces"], ["properties.ipConfigurations", "properties.a.b"]),
      "Resources | where type in~ ('microsoft.network/networkinterfaces') | project id, name, type, location, resourceGroup, subscriptionId, tenantId, tags, jitConnectPath0 = properties.ipConfigurations, jitConnectPath1 = properties.a.b | order by id asc",
    );
    assert.match(buildQuery(["microsoft.compute/virtualmachines"]), /\| project id, name, type, location, resourceGroup, subscriptionId, tenantId, tags, properties, sku \|/);
  });

  it("refuses a path that is not under properties or not plain names (the text goes into KQL)", () => {
    for (const bad of ["id", "properties", "properties.a | take 1", "properties.a['b']", "properties..a", "tags.x"]) assert.throws(() => buildQuery(["t"], [bad]), /Not a property path/, bad);
  });

  it("puts projected values back at their paths, leaves nulls out and keeps the other columns", () => {
    const row = { id: "/x", name: "vm", tags: { a: "1" }, jitConnectPath0: "Standard_B2s", jitConnectPath1: null, jitConnectPath2: [{ id: "/nic" }] };
    assert.deepEqual(rowWithPaths(row, ["properties.hardwareProfile.vmSize", "properties.storageProfile.osDisk.osType", "properties.networkProfile.networkInterfaces"]), {
      id: "/x",
      name: "vm",
      tags: { a: "1" },
      properties: { hardwareProfile: { vmSize: "Standard_B2s" }, networkProfile: { networkInterfaces: [{ id: "/nic" }] } },
    });
  });
});

describe("narrowed rows read the same as full rows (simulator, demo scenario)", () => {
  let t: TestSimulator;
  let ctx: AzureContext;
  let tenantId: string;
  let subs: string[];
  before(async () => {
    t = await startTestSimulator("demo", { startVms: false });
    ctx = await signedInContext(t, "alice@contoso.example");
    tenantId = (await getCallerIdentity(ctx, undefined)).tenantId;
    subs = (await listSubscriptions(ctx, tenantId)).map((s) => s.subscriptionId);
  });
  after(async () => {
    await t?.stop();
  });

  it("VMs: every field the inventory keeps is the same, power state included", async () => {
    const full = await queryResources(ctx, tenantId, subs, [ARG_TYPES.virtualMachine]);
    const narrow = await queryResources(ctx, tenantId, subs, [ARG_TYPES.virtualMachine], undefined, VM_PROPERTY_PATHS);
    assert.ok(full.length >= 10, `${full.length} VMs`);
    assert.deepEqual(narrow.map(vmFromAzure), full.map(vmFromAzure));
    assert.ok(JSON.stringify(narrow).length < 0.6 * JSON.stringify(full).length, "the narrowed rows carry far fewer bytes");
  });

  it("NICs: subnets and private IPs are the same", async () => {
    const full = await queryResources(ctx, tenantId, subs, [ARG_TYPES.networkInterface]);
    const narrow = await queryResources(ctx, tenantId, subs, [ARG_TYPES.networkInterface], undefined, NIC_PROPERTY_PATHS);
    assert.ok(full.length >= 10);
    assert.deepEqual(narrow.map(nicFromAzure), full.map(nicFromAzure));
  });
});
