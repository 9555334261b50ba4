import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { isJitError } from "../../../src/core/errors";
import { checkSshConfig } from "../../../src/core/ssh/configCheck";
import { readEffectiveSshConfig } from "../../../src/core/ssh/effectiveConfig";
import { deriveHostAlias } from "../../../src/core/ssh/hostAlias";
import { hostBlockOptionsFor } from "../../../src/core/ssh/hostsFile";
import type { SshHostEntry } from "../../../src/core/ssh/renderHostBlock";
import { installSshConfig } from "../../../src/core/ssh/sshConfigSetup";
import { sshPaths, type SshPaths } from "../../../src/core/ssh/sshPaths";
import { tempDir } from "./helpers/tempDir";

const VM = { id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-dev-01", name: "vm-dev-01" };
const PROGRAM = { nodePath: process.execPath, tunnelScript: "/opt/azure jit %/tunnel.js", viaLauncher: true };

async function setup(t: { after: (fn: () => void) => void }, userConfig: string | undefined): Promise<{ paths: SshPaths; entry: SshHostEntry }> {
  const home = tempDir(t);
  const paths = sshPaths({ home, platform: "linux" });
  const entry: SshHostEntry = { vm: VM, userName: "azureuser", userField: "osProfile.adminUsername", auth: { kind: "key", identityFile: path.join(paths.keysDir, deriveHostAlias(VM)) } };
  await installSshConfig([entry], paths, PROGRAM, "linux");
  if (userConfig !== undefined) writeFileSync(paths.userConfigFile, userConfig);
  return { paths, entry };
}

const check = (paths: SshPaths, entry: SshHostEntry): ReturnType<typeof checkSshConfig> =>
  checkSshConfig({ entry, options: hostBlockOptionsFor(paths, PROGRAM, "linux"), userConfigFile: paths.userConfigFile, client: { configFile: paths.userConfigFile } });

test("a freshly installed config has no findings, even with a Host * below our block", async (t) => {
  const { paths, entry } = await setup(t, undefined);
  writeFileSync(paths.userConfigFile, `${readFileSync(paths.userConfigFile, "utf8")}Host *\n  User other\n  ProxyCommand nc %h %p\n  IdentityFile ~/.ssh/id_rsa\n`);
  assert.deepEqual(await check(paths, entry), []);
});

test("a Host * above our block that sets User, ProxyCommand and IdentityFile is reported with its lines", async (t) => {
  const { paths, entry } = await setup(t, undefined);
  const ours = readFileSync(paths.userConfigFile, "utf8");
  writeFileSync(paths.userConfigFile, `Host *\n  User other\n  ProxyCommand nc %h %p\n  IdentityFile ~/.ssh/id_rsa\n  ForwardAgent yes\n${ours}`);
  const findings = await check(paths, entry);
  const by = new Map(findings.map((f) => [f.directive, f]));
  assert.equal(by.get("include")?.severity, "error", "the block below a Host line is conditional");
  assert.equal(by.get("user")?.actual, "other");
  assert.deepEqual(by.get("user")?.candidates, [{ file: paths.userConfigFile, line: 2 }]);
  assert.equal(by.get("proxycommand")?.severity, "error");
  assert.deepEqual(by.get("proxycommand")?.candidates, [{ file: paths.userConfigFile, line: 3 }]);
  assert.deepEqual(by.get("identityfile")?.candidates, [{ file: paths.userConfigFile, line: 4 }]);
  assert.equal(by.get("forwardagent")?.severity, "warning");
  assert.ok(by.get("user")?.message.includes(`${paths.userConfigFile} line 2`));
  assert.equal(by.has("hostkeyalias"), false, "what the Host * does not set is not reported");
});

test("sections that do not apply to our alias are not blamed, and an Include inside one does not apply either", async (t) => {
  const { paths, entry } = await setup(t, undefined);
  const ours = readFileSync(paths.userConfigFile, "utf8");
  writeFileSync(paths.userConfigFile, `Host dev other\n  User other\nHost * !azjit-*\n  User other2\n${ours}`);
  const findings = await check(paths, entry);
  assert.equal(findings[0]?.directive, "include");
  // Our Include now sits in the "Host * !azjit-*" section, which excludes our alias: ssh reads none of our settings.
  assert.equal(findings.find((f) => f.directive === "proxycommand")?.actual, undefined);
  const user = findings.find((f) => f.directive === "user")?.actual;
  assert.ok(user !== undefined && user !== "other" && user !== "other2", "ssh falls back to the local user name");
  for (const f of findings.slice(1)) assert.deepEqual(f.candidates, [], `${f.directive} is not blamed on a section that does not apply`);
});

test("a missing block is an error, and ssh then sees none of our settings", async (t) => {
  const { paths, entry } = await setup(t, "Host *\n  ServerAliveInterval 5\n");
  const findings = await check(paths, entry);
  assert.equal(findings[0]?.directive, "include");
  const alive = findings.find((f) => f.directive === "serveraliveinterval");
  assert.equal(alive?.severity, "warning");
  assert.deepEqual(alive?.candidates, [{ file: paths.userConfigFile, line: 2 }]);
  assert.equal(findings.find((f) => f.directive === "proxycommand")?.actual, undefined);
});

test("an unreadable config is a conflict carrying ssh's own explanation", async (t) => {
  const { paths } = await setup(t, "Host x\n  NoSuchOption yes\n");
  await assert.rejects(
    readEffectiveSshConfig(deriveHostAlias(VM), { configFile: paths.userConfigFile }),
    (e: unknown) => isJitError(e) && e.code === "SshConfigConflict" && e.message.includes("line 2"),
  );
});

test("a missing ssh program is SshClientMissing", async () => {
  await assert.rejects(readEffectiveSshConfig(deriveHostAlias(VM), { sshPath: "/nonexistent/ssh" }), (e: unknown) => isJitError(e) && e.code === "SshClientMissing");
});

test("ssh reading another file than the one with our Include ($HOME is not the account's home) is one finding naming both files", async (t) => {
  const { paths, entry } = await setup(t, undefined);
  const elsewhere = path.join(tempDir(t), ".ssh", "config");
  const findings = await checkSshConfig({ entry, options: hostBlockOptionsFor(paths, PROGRAM, "linux"), userConfigFile: paths.userConfigFile, sshDefaultConfigFile: elsewhere });
  assert.equal(findings.length, 1, findings.map((f) => f.message).join("\n"));
  assert.equal(findings[0]?.directive, "include");
  assert.equal(findings[0]?.severity, "error");
  assert.ok(findings[0]?.message.includes(elsewhere) && findings[0].message.includes(paths.userConfigFile), findings[0]?.message);
  assert.match(findings[0]!.message, /remote\.SSH\.configFile/);
  // The same file, reached by another spelling, is not a mismatch.
  const same = path.join(path.dirname(paths.userConfigFile), ".", "config");
  assert.deepEqual(await checkSshConfig({ entry, options: hostBlockOptionsFor(paths, PROGRAM, "linux"), userConfigFile: paths.userConfigFile, client: { configFile: same }, sshDefaultConfigFile: elsewhere }), [], "-F names the file: what ssh reads by default does not matter");
});
