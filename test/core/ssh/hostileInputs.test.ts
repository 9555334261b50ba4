import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { deriveHostAlias, deriveHostKeyAlias } from "../../../src/core/ssh/hostAlias";
import { renderConfigFile, type HostBlockOptions, type SshHostEntry } from "../../../src/core/ssh/renderHostBlock";
import { sshG } from "./helpers/ssh";
import { tempDir } from "./helpers/tempDir";

/**
 * Proves with the real ssh client (`ssh -G`) that names chosen by whoever controls a VM in Azure
 * cannot add, remove or change a directive: the effective config of a hostile VM's alias equals
 * that of a benign one (alias aside), and no other host is affected by our file at all.
 */

const VM_ID = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/x";

const HOSTILE_NAMES = [
  "evil\nHost *\n  ProxyCommand sh -c 'id > /tmp/pwned'",
  "evil\r\nUser root",
  "evil\rIdentityFile /etc/shadow",
  "with spaces and\ttabs",
  '"quoted" name',
  "%h%p%r%%%C",
  "# comment\nMatch all\nUser root",
  "Match all",
  "ProxyCommand nc evil 22",
  "name=User root",
  "back\\slash\\nHost *",
  "ünïcødé 名前 \u202e evil",
  "nul\u0000Host *",
  "x".repeat(1000),
  "*",
  "!negated,*",
];

function options(dir: string): HostBlockOptions {
  return {
    proxy: { launcher: path.join(dir, "azure-jit-tunnel"), nodePath: path.join(dir, "node bin", "node"), tunnelScript: path.join(dir, "tunnel.js") },
    knownHostsFile: path.join(dir, "known_hosts"),
    platform: "linux",
  };
}

function entry(name: string, dir: string): SshHostEntry {
  return { vm: { id: VM_ID, name }, userName: "azure.user-1_", userField: "osProfile.adminUsername", auth: { kind: "key", identityFile: path.join(dir, "keys", "key file") } };
}

/** The effective config with the alias replaced by a placeholder, so that different aliases compare equal. */
async function effective(configFile: string, alias: string): Promise<string[]> {
  const { lines } = await sshG(configFile, alias);
  return lines.map((l) => l.split(alias).join("<alias>"));
}

test("ssh -G shows exactly the intended config for a benign VM, with awkward but legal paths", async (t) => {
  // A folder name that exercises quoting: spaces, %, #, quotes and shell operators, unicode.
  const dir = tempDir(t, "azjit t%h %%p #1 'q' & ; (é) ");
  mkdirSync(path.join(dir, "keys"));
  const file = path.join(dir, "config");
  const e = entry("vm-benign", dir);
  writeFileSync(file, renderConfigFile([e], options(dir)));
  const alias = deriveHostAlias(e.vm);
  const { map } = await sshG(file, alias);
  const one = (key: string): string | undefined => map.get(key)?.[0];
  assert.equal(one("hostname"), alias);
  assert.equal(one("user"), "azure.user-1_");
  assert.equal(one("port"), "22");
  assert.equal(one("hostkeyalias"), deriveHostKeyAlias(VM_ID));
  assert.equal(one("stricthostkeychecking"), "accept-new");
  assert.equal(one("hashknownhosts"), "no");
  assert.equal(one("identitiesonly"), "yes");
  assert.equal(one("serveraliveinterval"), "30");
  assert.equal(one("serveralivecountmax"), "3");
  assert.equal(one("connecttimeout"), "60");
  // ssh prints UserKnownHostsFile with tokens expanded: %% became % again, i.e. the real path.
  assert.deepEqual(map.get("userknownhostsfile"), [path.join(dir, "known_hosts")]);
  // IdentityFile and ProxyCommand are printed before token expansion (ssh expands them when used).
  assert.deepEqual(map.get("identityfile"), [path.join(dir, "keys", "key file").replace(/%/g, "%%")]);
  const q = (p: string): string => `"${p.replace(/%/g, "%%")}"`;
  assert.equal(one("proxycommand"), `${q(path.join(dir, "azure-jit-tunnel"))} ${q(path.join(dir, "node bin", "node"))} ${q(path.join(dir, "tunnel.js"))} stdio ${alias}`);
});

test("hostile VM names change nothing but the alias, as ssh -G sees it", async (t) => {
  const dir = tempDir(t);
  const benignFile = path.join(dir, "benign.config");
  const benign = entry("benign", dir);
  writeFileSync(benignFile, renderConfigFile([benign], options(dir)));
  const expected = await effective(benignFile, deriveHostAlias(benign.vm));
  for (const [i, name] of HOSTILE_NAMES.entries()) {
    const file = path.join(dir, `hostile-${i}.config`);
    const e = entry(name, dir);
    const text = renderConfigFile([e], options(dir));
    writeFileSync(file, text);
    const alias = deriveHostAlias(e.vm);
    assert.match(alias, /^azjit-[a-z0-9-]+-[0-9a-f]{6}$/);
    assert.deepEqual(await effective(file, alias), expected, `name ${JSON.stringify(name.slice(0, 60))}`);
    // Exactly one Host line, and every non-comment line is one of our directives.
    const directives = text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
    assert.equal(directives.filter((l) => l.startsWith("Host ")).length, 1);
    assert.equal(directives.length, 14, `name ${JSON.stringify(name.slice(0, 60))}`);
  }
});

test("our file applies to our aliases only: other hosts see the same config as with an empty file", async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, "config");
  const empty = path.join(dir, "empty");
  writeFileSync(empty, "");
  writeFileSync(file, renderConfigFile(HOSTILE_NAMES.map((name, i) => ({ ...entry(name, dir), vm: { id: `${VM_ID}${i}`, name } })), options(dir)));
  for (const host of ["other", "evil", "all", "root", "x", "azjit-benign-000000", "localhost"]) {
    assert.deepEqual((await sshG(file, host)).lines, (await sshG(empty, host)).lines, host);
  }
});
