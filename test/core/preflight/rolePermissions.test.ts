import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allowsAction, allowsDataAction, GET_SECRET_DATA_ACTION, operationMatches, START_VM_ACTION } from "../../../src/core/preflight/rolePermissions";

describe("role permissions as Azure RBAC evaluates them", () => {
  it("wildcards stand for any run of characters, slashes included, without regard to case", () => {
    assert.ok(operationMatches("Microsoft.KeyVault/vaults/secrets/*", GET_SECRET_DATA_ACTION));
    assert.ok(operationMatches("microsoft.keyvault/*/getsecret/action", GET_SECRET_DATA_ACTION));
    assert.ok(operationMatches("*", START_VM_ACTION));
    assert.ok(!operationMatches("Microsoft.KeyVault/vaults/secrets/readMetadata/action", GET_SECRET_DATA_ACTION));
    assert.ok(!operationMatches("Microsoft.Compute/virtualMachines/read", START_VM_ACTION));
    assert.ok(!operationMatches("Microsoft.Compute.virtualMachines/*", START_VM_ACTION), "a dot is not a wildcard");
  });

  it("control-plane actions never grant a data action (Owner cannot read a secret)", () => {
    assert.equal(allowsDataAction([{ actions: ["*"], notActions: [], dataActions: [], notDataActions: [] }], GET_SECRET_DATA_ACTION), false);
    assert.equal(allowsAction([{ actions: ["*"] }], START_VM_ACTION), true);
  });

  it("notActions and notDataActions subtract from their own entry", () => {
    assert.equal(allowsDataAction([{ dataActions: ["Microsoft.KeyVault/vaults/secrets/*"], notDataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action"] }], GET_SECRET_DATA_ACTION), false);
    assert.equal(allowsAction([{ actions: ["Microsoft.Compute/virtualMachines/*"], notActions: ["Microsoft.Compute/virtualMachines/start/action"] }], START_VM_ACTION), false);
    assert.equal(allowsAction([{ actions: ["Microsoft.Compute/virtualMachines/*"], notActions: ["Microsoft.Compute/virtualMachines/delete"] }], START_VM_ACTION), true);
  });

  it("permission entries add up", () => {
    assert.equal(allowsDataAction([{ dataActions: [] }, { dataActions: [GET_SECRET_DATA_ACTION] }], GET_SECRET_DATA_ACTION), true);
  });
});
