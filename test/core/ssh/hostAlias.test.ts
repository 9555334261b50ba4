import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { deriveHostAlias, deriveHostKeyAlias, isHostAlias, slugOf } from "../../../src/core/ssh/hostAlias";

const ID = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/vm-dev-01";
const hex6 = createHash("sha256").update(ID.toLowerCase()).digest("hex").slice(0, 6);

test("the alias is azjit-<slug>-<6 hex of sha256(lower(id))>", () => {
  assert.equal(deriveHostAlias({ id: ID, name: "vm-dev-01" }), `azjit-vm-dev-01-${hex6}`);
  assert.equal(deriveHostAlias({ id: ID.toUpperCase(), name: "vm-dev-01" }), `azjit-vm-dev-01-${hex6}`, "ARM ids are case-insensitive");
});

test("the slug keeps only [a-z0-9-], drops accents, is bounded and never empty", () => {
  assert.equal(slugOf("VM_Dev.01"), "vm-dev-01");
  assert.equal(slugOf("crème brûlée"), "creme-brulee");
  assert.equal(slugOf("--x--"), "x");
  assert.equal(slugOf(""), "vm");
  assert.equal(slugOf("日本語"), "vm");
  assert.equal(slugOf("a\nHost *\n  ProxyCommand evil %h"), "a-host-proxycommand-evil-h");
  assert.equal(slugOf("x".repeat(1000)).length, 40);
  assert.ok(!slugOf(`${"a".repeat(39)}-b`).endsWith("-"));
});

test("hostile names give aliases that match the alias grammar", () => {
  const names = ["a\r\nMatch all", '"quoted"', "%h%%", "#comment", "x y", "\u202eevil", "a".repeat(1000), "\u0000nul", "ProxyCommand sh -c id"];
  for (const name of names) {
    const alias = deriveHostAlias({ id: ID, name });
    assert.match(alias, /^azjit-[a-z0-9-]+-[0-9a-f]{6}$/);
    assert.ok(alias.length <= 53, alias);
    assert.ok(isHostAlias(alias), alias);
  }
});

test("HostKeyAlias depends on the resource id only, case-insensitively", () => {
  const a = deriveHostKeyAlias(ID);
  assert.match(a, /^azjit-[0-9a-f]{32}$/);
  assert.equal(deriveHostKeyAlias(ID.toUpperCase()), a);
  assert.notEqual(deriveHostKeyAlias(`${ID}2`), a);
});

test("isHostAlias refuses anything we would not generate", () => {
  for (const bad of ["", "azjit-", "azjit-x", "../azjit-vm-abcdef", "azjit-vm-abcdef/..", "azjit-VM-abcdef", "azjit-vm-abcdeg", "azjit-vm--abcdef", `azjit-${"a".repeat(60)}-abcdef`, "host"]) {
    assert.equal(isHostAlias(bad), false, bad);
  }
  assert.ok(isHostAlias("azjit-vm-abcdef"));
});
