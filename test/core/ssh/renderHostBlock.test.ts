import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { isJitError } from "../../../src/core/errors";
import { hostDirectives, renderConfigFile, renderHostBlock } from "../../../src/core/ssh/renderHostBlock";
import { LINUX_ENTRIES, LINUX_OPTIONS, VM_READY, WINDOWS_ENTRIES, WINDOWS_OPTIONS } from "./fixtures";

const GOLDEN = path.join(__dirname, "golden");

/** Compares with a golden file; UPDATE_GOLDEN=1 rewrites it (review the diff before committing). */
function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, "utf8"));
}

test("golden: our config file on Linux (key and password hosts)", () => {
  golden("linux.config", renderConfigFile(LINUX_ENTRIES, LINUX_OPTIONS));
});

test("golden: our config file on Windows (forward slashes, .cmd launcher)", () => {
  golden("windows.config", renderConfigFile(WINDOWS_ENTRIES, WINDOWS_OPTIONS));
});

test("golden: an empty inventory still gives the header", () => {
  golden("empty.config", renderConfigFile([], LINUX_OPTIONS));
});

test("the output does not depend on the order of the inventory", () => {
  assert.equal(renderConfigFile([...LINUX_ENTRIES].reverse(), LINUX_OPTIONS), renderConfigFile(LINUX_ENTRIES, LINUX_OPTIONS));
});

test("key hosts use IdentityFile + IdentitiesOnly; password hosts disable public keys", () => {
  const [key, password] = LINUX_ENTRIES;
  assert.ok(key && password);
  const keyKeywords = hostDirectives(key, LINUX_OPTIONS).map(([k]) => k);
  const passwordKeywords = hostDirectives(password, LINUX_OPTIONS).map(([k]) => k);
  assert.deepEqual(keyKeywords, ["HostName", "User", "Port", "ProxyCommand", "HostKeyAlias", "UserKnownHostsFile", "StrictHostKeyChecking", "HashKnownHosts", "IdentityFile", "IdentitiesOnly", "ServerAliveInterval", "ServerAliveCountMax", "ConnectTimeout"]);
  assert.deepEqual(passwordKeywords, ["HostName", "User", "Port", "ProxyCommand", "HostKeyAlias", "UserKnownHostsFile", "StrictHostKeyChecking", "HashKnownHosts", "PubkeyAuthentication", "PreferredAuthentications", "ServerAliveInterval", "ServerAliveCountMax", "ConnectTimeout"]);
  assert.ok(!renderHostBlock(password, LINUX_OPTIONS).includes("IdentityFile"));
});

test("without a launcher the ProxyCommand starts node directly", () => {
  const [key] = LINUX_ENTRIES;
  assert.ok(key);
  const { launcher: _launcher, ...direct } = LINUX_OPTIONS.proxy;
  const proxy = hostDirectives(key, { ...LINUX_OPTIONS, proxy: { ...direct, args: ["--port", "2222"] } }).find(([k]) => k === "ProxyCommand")?.[1];
  assert.equal(proxy, '"/usr/share/code/code" "/home/alice/.config/Code/User/globalStorage/azure-jit-connect.azure-jit-connect/tunnel.js" stdio azjit-vm-ready-ae4316 --port 2222');
});

test("a user name that is not a plain POSIX name is refused, naming the VM and the field", () => {
  for (const userName of ["root\n  ProxyCommand evil", "a b", '"x"', "%u", "-oops", "1abc", "", "x".repeat(33), "ünïcode", "user#1", "a\rb"]) {
    assert.throws(
      () => renderHostBlock({ vm: { ...VM_READY, name: "evil\nname" }, userName, userField: 'tag "azure-jit-connect.username"', auth: { kind: "password" } }, LINUX_OPTIONS),
      (e: unknown) => isJitError(e) && e.code === "SshConfigUnsafeValue" && e.message.includes('tag "azure-jit-connect.username"') && e.message.includes('"evil\\u000aname"') && !e.message.includes("\n"),
      JSON.stringify(userName),
    );
  }
  for (const ok of ["azureuser", "_svc", "Admin.User-1", "a", "x".repeat(32)]) {
    assert.doesNotThrow(() => renderHostBlock({ vm: VM_READY, userName: ok, userField: "f", auth: { kind: "password" } }, LINUX_OPTIONS));
  }
});

test("paths with a quote, backslash, $, backquote, newline or NUL are refused; % is doubled", () => {
  const [key] = LINUX_ENTRIES;
  assert.ok(key);
  for (const bad of ['/tmp/a"b', "/tmp/a\\b", "/tmp/$HOME", "/tmp/${HOME}", "/tmp/`id`", "/tmp/a\nb", "/tmp/a\u0000b", "/tmp/a\rb", "relative/key"]) {
    assert.throws(
      () => renderHostBlock({ ...key, auth: { kind: "key", identityFile: bad } }, LINUX_OPTIONS),
      (e: unknown) => isJitError(e) && e.code === "SshConfigUnsafeValue",
      JSON.stringify(bad),
    );
    assert.throws(() => renderHostBlock(key, { ...LINUX_OPTIONS, knownHostsFile: bad }), (e: unknown) => isJitError(e) && e.code === "SshConfigUnsafeValue");
    assert.throws(() => renderHostBlock(key, { ...LINUX_OPTIONS, proxy: { ...LINUX_OPTIONS.proxy, tunnelScript: bad } }), (e: unknown) => isJitError(e) && e.code === "SshConfigUnsafeValue");
  }
  const block = renderHostBlock({ ...key, auth: { kind: "key", identityFile: "/tmp/100% sure/%h/key" } }, LINUX_OPTIONS);
  assert.ok(block.includes('  IdentityFile "/tmp/100%% sure/%%h/key"\n'));
});

test("extra ProxyCommand arguments must be plain words", () => {
  const [key] = LINUX_ENTRIES;
  assert.ok(key);
  for (const bad of ["a b", "$(id)", "%h", ";", "'", ""]) {
    assert.throws(() => renderHostBlock(key, { ...LINUX_OPTIONS, proxy: { ...LINUX_OPTIONS.proxy, args: [bad] } }), (e: unknown) => isJitError(e) && e.code === "SshConfigUnsafeValue");
  }
});

test("two VMs with the same alias are refused instead of shadowing each other", () => {
  const [key] = LINUX_ENTRIES;
  assert.ok(key);
  assert.throws(() => renderConfigFile([key, { ...key }], LINUX_OPTIONS), (e: unknown) => isJitError(e) && e.code === "SshConfigConflict");
});

test("the comment naming the VM cannot carry a line break", () => {
  const block = renderHostBlock({ vm: { id: VM_READY.id, name: "x\nHost *\r\n ProxyCommand evil" }, userName: "u", userField: "f", auth: { kind: "password" } }, LINUX_OPTIONS);
  const lines = block.split("\n");
  assert.equal(lines[0], "# VM x?Host ??? ProxyCommand evil");
  assert.equal(lines.filter((l) => /^\s*Host\b/i.test(l)).length, 1);
});
