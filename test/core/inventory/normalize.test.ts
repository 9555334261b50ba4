import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bastionFromAzure, jitPolicyFromAzure, nicFromAzure, powerStateFromCode, vmFromAzure, vnetFromAzure } from "../../../src/core/inventory/normalize";

const sub = "/subscriptions/s1/resourceGroups/rg";

describe("normalize", () => {
  it("reads a VM from a Resource Graph row and from an SDK model alike", () => {
    const arg = {
      id: `${sub}/providers/Microsoft.Compute/virtualMachines/vm1`,
      name: "vm1",
      type: "microsoft.compute/virtualmachines",
      location: "westeurope",
      resourceGroup: "rg",
      subscriptionId: "s1",
      tags: { "azure-jit-connect.secret": "https://kv/secrets/a" },
      properties: {
        storageProfile: { osDisk: { osType: "Linux" } },
        osProfile: { adminUsername: "azureuser", computerName: "vm1" },
        networkProfile: { networkInterfaces: [{ id: "nic-b", properties: { primary: false } }, { id: "nic-a", properties: { primary: true } }] },
        extended: { instanceView: { powerState: { code: "PowerState/deallocated" } } },
      },
    };
    const sdk = { id: arg.id, name: "vm1", location: "westeurope", tags: arg.tags, storageProfile: { osDisk: { osType: "Linux" } }, osProfile: { adminUsername: "azureuser" }, networkProfile: { networkInterfaces: [{ id: "nic-a", primary: true }] }, instanceView: { statuses: [{ code: "ProvisioningState/succeeded" }, { code: "PowerState/running" }] } };
    const a = vmFromAzure(arg);
    const b = vmFromAzure(sdk);
    assert.equal(a?.osType, "Linux");
    assert.equal(a?.adminUsername, "azureuser");
    assert.deepEqual(a?.nicIds, ["nic-a", "nic-b"], "primary NIC first");
    assert.equal(a?.powerState, "deallocated");
    assert.equal(b?.powerState, "running");
    assert.equal(b?.resourceGroup, "rg");
    assert.equal(b?.subscriptionId, "s1");
    assert.equal(vmFromAzure({ name: "no id" }), undefined);
    assert.equal(powerStateFromCode("PowerState/weird"), "unknown");
  });

  it("reads NICs, VNets with subnets and peerings, and Bastions", () => {
    const nic = nicFromAzure({ id: "nic", properties: { ipConfigurations: [{ properties: { subnet: { id: `${sub}/providers/Microsoft.Network/virtualNetworks/spoke/subnets/default` }, privateIPAddress: "10.1.0.4", primary: true } }] } });
    assert.equal(nic?.privateIp, "10.1.0.4");
    const vnet = vnetFromAzure({
      id: `${sub}/providers/Microsoft.Network/virtualNetworks/hub`,
      name: "hub",
      properties: {
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ id: `${sub}/providers/Microsoft.Network/virtualNetworks/hub/subnets/AzureBastionSubnet`, name: "AzureBastionSubnet", properties: { addressPrefix: "10.0.1.0/26" } }],
        virtualNetworkPeerings: [
          { properties: { remoteVirtualNetwork: { id: "spoke-a" }, peeringState: "Connected" } },
          { properties: { remoteVirtualNetwork: { id: "spoke-b" }, peeringState: "Disconnected" } },
        ],
      },
    });
    assert.deepEqual(vnet?.peeredVnetIds, ["spoke-a"]);
    assert.deepEqual(vnet?.subnets[0]?.addressPrefixes, ["10.0.1.0/26"]);
    const sdkVnet = vnetFromAzure({ id: "v", name: "v", subnets: [{ id: "v/subnets/s", name: "s", addressPrefix: "10.9.0.0/24" }], virtualNetworkPeerings: [{ remoteVirtualNetwork: { id: "w" }, peeringState: "Connected" }] });
    assert.deepEqual(sdkVnet?.subnets[0]?.addressPrefixes, ["10.9.0.0/24"]);
    assert.deepEqual(sdkVnet?.peeredVnetIds, ["w"]);
    const bastion = bastionFromAzure({
      id: `${sub}/providers/Microsoft.Network/bastionHosts/bas`,
      name: "bas",
      sku: { name: "Standard" },
      properties: { enableTunneling: true, dnsName: "localhost:9443", ipConfigurations: [{ properties: { subnet: { id: `${sub}/providers/Microsoft.Network/virtualNetworks/hub/subnets/AzureBastionSubnet` } } }] },
    });
    assert.equal(bastion?.vnetId, `${sub}/providers/Microsoft.Network/virtualNetworks/hub`);
    assert.equal(bastion?.enableTunneling, true);
    assert.equal(bastion?.dnsName, "localhost:9443");
    const basic = bastionFromAzure({ id: `${sub}/providers/Microsoft.Network/bastionHosts/b2`, name: "b2", sku: { name: "Basic" }, properties: {} });
    assert.equal(basic?.enableTunneling, false, "absent enableTunneling means off");
  });

  it("reads a JIT policy with rules and requests (Date objects from the SDK, strings from JSON)", () => {
    const id = `${sub}/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default`;
    const policy = jitPolicyFromAzure({
      id,
      name: "default",
      location: "westeurope",
      virtualMachines: [{ id: "vm1", ports: [{ number: 22, protocol: "*", allowedSourceAddressPrefix: "*", maxRequestAccessDuration: "PT3H" }] }],
      requests: [
        { startTimeUtc: new Date(1000), requestor: "a", virtualMachines: [{ id: "vm1", ports: [{ number: 22, allowedSourceAddressPrefix: "10.0.1.0/26", endTimeUtc: new Date(5000), status: "Initiated", statusReason: "UserRequested" }] }] },
        { startTimeUtc: "1970-01-01T00:00:02Z", virtualMachines: [{ id: "vm1", ports: [{ number: 22, allowedSourceAddressPrefixes: ["1.2.3.4"], endTimeUtc: "1970-01-01T00:00:09Z", status: "Revoked" }] }] },
      ],
    });
    assert.equal(policy?.location, "westeurope");
    assert.equal(policy?.resourceGroup, "rg");
    assert.equal(policy?.vms[0]?.ports[0]?.maxDurationMs, 3 * 3600_000);
    assert.equal(policy?.requests.length, 2);
    assert.equal(policy?.requests[0]?.endsAt, 5000);
    assert.deepEqual(policy?.requests[1]?.sourcePrefixes, ["1.2.3.4"]);
    assert.equal(policy?.requests[1]?.endsAt, 9000);
  });
});
