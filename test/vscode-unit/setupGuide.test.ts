/**
 * docs/azure-setup.md and its lab script name exactly what the product reads: the tag names, the
 * port, the built-in role ids, the custom role's actions and the documentation pages the setup
 * check links to. A renamed constant or a drifted guide fails here.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { BUILT_IN_ROLES, CONNECT_ACTIONS, GET_SECRET_DATA_ACTION, JIT_INITIATE_ACTION, SECRET_TAG, SETUP_DOCS, SSH_PORT, USERNAME_TAG } from "../../src/core/preflight/setupRequirements";

const root = path.join(__dirname, "../..");
const guide = readFileSync(path.join(root, "docs/azure-setup.md"), "utf8");
const lab = readFileSync(path.join(root, "docs/lab/azure-jit-lab.sh"), "utf8");

/** Fenced blocks of one language. */
function blocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
}

describe("docs/azure-setup.md matches the product's constants", () => {
  it("names exactly the two tags the product reads", () => {
    const tags = new Set([...guide.matchAll(/azure-jit-connect\.[a-z]+/g)].map((m) => m[0]));
    assert.deepEqual([...tags].sort(), [SECRET_TAG, USERNAME_TAG].sort());
    const labTags = new Set([...lab.matchAll(/azure-jit-connect\.[a-z]+/g)].map((m) => m[0]));
    assert.deepEqual([...labTags].sort(), [SECRET_TAG, USERNAME_TAG].sort());
  });

  it("gives every built-in role with its id, and no other role id", () => {
    for (const role of Object.values(BUILT_IN_ROLES)) {
      assert.ok(guide.split("\n").some((line) => line.includes(role.name) && line.includes(role.id)), `${role.name} (${role.id}) on one line`);
    }
    const known = new Set<string>(Object.values(BUILT_IN_ROLES).map((r) => r.id));
    const ids = [...guide.matchAll(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g)].map((m) => m[0]);
    assert.deepEqual(ids.filter((id) => !known.has(id)), []);
  });

  it("the custom role lists exactly the actions Connect needs", () => {
    const role = blocks(guide, "json").map((b) => JSON.parse(b.replace(/\$SUB/g, "sub")) as { Actions?: string[]; DataActions?: string[] }).find((b) => b.Actions);
    assert.ok(role, "a JSON custom role");
    assert.deepEqual([...(role.Actions ?? [])].sort(), [...CONNECT_ACTIONS].sort());
    for (const action of CONNECT_ACTIONS) assert.ok(lab.includes(`"${action}"`), `lab role has ${action}`);
    assert.ok(guide.includes(JIT_INITIATE_ACTION));
    assert.ok(guide.includes(GET_SECRET_DATA_ACTION));
  });

  it("opens port 22 in the JIT policy, from the Bastion subnet", () => {
    assert.equal(SSH_PORT, 22);
    const jitBodies = [...guide.matchAll(/jitNetworkAccessPolicies\/default[\s\S]*?--body '([^']*(?:'[^']*'[^']*)*)'/g)];
    assert.ok(jitBodies.length > 0, "an az rest call for the JIT policy");
    assert.match(guide, new RegExp(`"number": ${SSH_PORT}, "protocol": "TCP", "allowedSourceAddressPrefix": "10\\.0\\.1\\.0/26"`));
    assert.match(lab, new RegExp(`number: ${SSH_PORT}, protocol: "TCP", allowedSourceAddressPrefix: \\$src`));
    assert.match(lab, /--arg src "\$BASTION_PREFIX"/);
    assert.match(guide, /exactly the Bastion subnet prefix/i);
  });

  it("links every page the setup check links to", () => {
    for (const [key, url] of Object.entries(SETUP_DOCS)) assert.ok(guide.includes(url), `${key}: ${url}`);
  });

  it("says plainly that the lab was not run against Azure", () => {
    assert.match(lab, /NOT RUN AGAINST AZURE/);
    assert.match(guide, /has \*\*not\*\* been run against Azure/);
  });
});
