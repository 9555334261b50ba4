/** The duration picker: never above the maximum, preselection from azureJit.access.defaultDuration. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { durationChoices, preferredDuration, recentForRole, rememberForRole, rememberRecent } from "../../src/vscode/access/durationChoices";

const H = 60 * 60_000;

describe("duration choices", () => {
  it("offers the steps below the maximum plus the maximum itself, one default", () => {
    const choices = durationChoices(3 * H, H, (d) => `${d} (maximum)`);
    assert.deepEqual(choices.map((c) => c.label), ["15 min", "30 min", "1 h", "2 h", "3 h (maximum)"]);
    assert.deepEqual(choices.filter((c) => c.isDefault).map((c) => c.label), ["1 h"]);
    assert.equal(choices.at(-1)!.isMaximum, true);
  });

  it("a preferred duration off the steps is offered as such; one above the maximum becomes the maximum", () => {
    assert.deepEqual(durationChoices(8 * H, 90 * 60_000, (d) => d).map((c) => c.label), ["15 min", "30 min", "1 h", "1 h 30 min", "2 h", "4 h", "8 h"]);
    const capped = durationChoices(45 * 60_000, 2 * H, (d) => `${d} max`);
    assert.deepEqual(capped.map((c) => c.label), ["15 min", "30 min", "45 min max"]);
    assert.equal(capped.find((c) => c.isDefault)!.label, "45 min max");
  });

  it("the setting wins over the core's default, clamped to the maximum; garbage falls back", () => {
    assert.equal(preferredDuration("PT2H", H, 3 * H), 2 * H);
    assert.equal(preferredDuration("PT8H", H, 3 * H), 3 * H);
    assert.equal(preferredDuration("soon", H, 3 * H), H);
    assert.equal(preferredDuration("PT1M", H, 3 * H), 5 * 60_000);
  });

  it("remembers recent values, newest first, without duplicates", () => {
    assert.deepEqual(rememberRecent(["a", "b", "c"], "b"), ["b", "a", "c"]);
    assert.deepEqual(rememberRecent(["a", "b", "c", "d", "e"], "f"), ["f", "a", "b", "c", "d"]);
    assert.deepEqual(rememberRecent(["a"], "  "), ["a"]);
  });

  it("remembers justifications per role and scope: another VM's role is not offered them", () => {
    const dev = { scope: "/subscriptions/s1/resourceGroups/rg-vm-dev-01", roleDefinitionId: "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/ROLE-1" };
    const other = { scope: "/subscriptions/s1/resourceGroups/rg-vm-approval", roleDefinitionId: dev.roleDefinitionId };
    let store = rememberForRole({}, dev, "Deploy the hotfix");
    store = rememberForRole(store, other, "Incident 42");
    assert.deepEqual(recentForRole(store, dev), ["Deploy the hotfix"]);
    assert.deepEqual(recentForRole(store, other), ["Incident 42"]);
    // The same role in tenant form and another letter case is the same key.
    assert.deepEqual(recentForRole(store, { scope: dev.scope.toUpperCase() + "/", roleDefinitionId: "/providers/Microsoft.Authorization/roleDefinitions/role-1" }), ["Deploy the hotfix"]);
    assert.deepEqual(recentForRole(store, undefined), []);
    // At most maxRoles roles kept, the least recently used dropped.
    const capped = rememberForRole(rememberForRole(store, dev, "again", 2), { scope: "/x", roleDefinitionId: "r" }, "new", 2);
    assert.deepEqual(Object.keys(capped).length, 2);
    assert.deepEqual(recentForRole(capped, other), []);
    assert.deepEqual(recentForRole(capped, dev), ["again", "Deploy the hotfix"]);
  });
});
