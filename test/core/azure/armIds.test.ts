import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { armIdKey, formatArmId, lastSegment, normalizeArmId, parseArmId, pimScope, sameArmId, scopeContains, vnetOfSubnet } from "../../../src/core/azure/armIds";

describe("armIds", () => {
  const vm = "/subscriptions/1111/resourceGroups/rg-a/providers/Microsoft.Compute/virtualMachines/vm-1";

  it("parses a VM id into its parts", () => {
    const p = parseArmId(vm);
    assert.equal(p?.subscriptionId, "1111");
    assert.equal(p?.resourceGroup, "rg-a");
    assert.equal(p?.provider, "Microsoft.Compute");
    assert.equal(p?.type, "virtualMachines");
    assert.equal(p?.name, "vm-1");
  });

  it("parses nested types (subnets) and subscription / resource group scopes", () => {
    const subnet = parseArmId("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub/subnets/AzureBastionSubnet");
    assert.equal(subnet?.type, "virtualNetworks/subnets");
    assert.deepEqual(subnet?.names, ["hub", "AzureBastionSubnet"]);
    assert.equal(parseArmId("/subscriptions/s")?.resourceGroup, undefined);
    assert.equal(parseArmId("subscriptions/s/resourceGroups/rg")?.resourceGroup, "rg");
  });

  it("rejects malformed ids", () => {
    assert.equal(parseArmId("/providers/Microsoft.Authorization/roleDefinitions/x"), undefined);
    assert.equal(parseArmId("/subscriptions"), undefined);
    assert.equal(parseArmId("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines"), undefined);
  });

  it("compares case-insensitively and ignores slashes", () => {
    assert.ok(sameArmId(vm, vm.toLowerCase()));
    assert.ok(sameArmId(vm, `${vm}/`));
    assert.ok(sameArmId(`/${vm}`, vm));
    assert.ok(!sameArmId(vm, `${vm}2`));
    assert.equal(armIdKey("//Subscriptions//X/"), "/subscriptions/x");
    assert.equal(normalizeArmId("subscriptions/x"), "/subscriptions/x");
  });

  it("scope containment follows ancestry, not string prefixes", () => {
    assert.ok(scopeContains("/subscriptions/1111/resourceGroups/RG-A", vm));
    assert.ok(scopeContains("/subscriptions/1111", vm));
    assert.ok(scopeContains("/", vm));
    assert.ok(!scopeContains("/subscriptions/1111/resourceGroups/rg", vm), "rg is a prefix of rg-a but not its ancestor");
  });

  it("formats PIM scopes without the leading slash (azure-protocols §0.2)", () => {
    assert.equal(pimScope("/subscriptions/x/resourceGroups/rg"), "subscriptions/x/resourceGroups/rg");
    assert.equal(pimScope(""), "");
  });

  it("formats ids and extracts VNets of subnets and last segments", () => {
    assert.equal(formatArmId({ subscriptionId: "s", resourceGroup: "rg", provider: "Microsoft.Compute", segments: [["virtualMachines", "vm"]] }), "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm");
    assert.equal(vnetOfSubnet("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub/subnets/a"), "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub");
    assert.equal(vnetOfSubnet(vm), undefined);
    assert.equal(lastSegment("/providers/Microsoft.Authorization/roleDefinitions/abc/"), "abc");
  });
});
