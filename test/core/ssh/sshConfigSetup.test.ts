import assert from "node:assert/strict";
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { isJitError } from "../../../src/core/errors";
import { deriveHostAlias } from "../../../src/core/ssh/hostAlias";
import { renderLauncher } from "../../../src/core/ssh/proxyCommand";
import type { SshHostEntry } from "../../../src/core/ssh/renderHostBlock";
import { installSshConfig, removeSshConfig } from "../../../src/core/ssh/sshConfigSetup";
import { sshPaths } from "../../../src/core/ssh/sshPaths";
import { inspectIncludeBlock, installIncludeBlock } from "../../../src/core/ssh/userConfigFile";
import { sshG } from "./helpers/ssh";
import { tempDir } from "./helpers/tempDir";

const VM = { id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-ready", name: "vm-ready" };
const PROGRAM = { nodePath: process.execPath, tunnelScript: "/opt/azure-jit/tunnel.js", viaLauncher: true };
const mode = (p: string): number => statSync(p).mode & 0o777;

function entry(keyFile: string): SshHostEntry {
  return { vm: VM, userName: "azureuser", userField: "osProfile.adminUsername", auth: { kind: "key", identityFile: keyFile } };
}

test("on a machine without ~/.ssh: creates ~/.ssh 0700, the config 0600, our folder 0700 and the launcher 0700", async (t) => {
  const home = tempDir(t);
  const paths = sshPaths({ home, platform: "linux" });
  const result = await installSshConfig([entry(path.join(paths.keysDir, "k"))], paths, PROGRAM, "linux");
  assert.deepEqual(result, { hostsChanged: true, includeChanged: true });
  assert.equal(mode(path.join(home, ".ssh")), 0o700);
  assert.equal(mode(paths.userConfigFile), 0o600);
  assert.equal(mode(paths.dir), 0o700);
  assert.equal(mode(paths.configFile), 0o600);
  assert.equal(mode(paths.launcherFile), 0o700);
  assert.equal(readFileSync(paths.launcherFile, "utf8"), renderLauncher("linux"));
  assert.deepEqual(readdirSync(paths.dir).sort(), ["azure-jit-tunnel", "config"], "no temporary files are left");
  assert.equal(await inspectIncludeBlock(paths.userConfigFile, paths.configFile, "linux"), "current");

  const again = await installSshConfig([entry(path.join(paths.keysDir, "k"))], paths, PROGRAM, "linux");
  assert.deepEqual(again, { hostsChanged: false, includeChanged: false }, "a second install changes nothing");
});

test("ssh reads our hosts through the Include, ahead of the user's Host *, and the user's hosts are untouched", async (t) => {
  const home = tempDir(t);
  const paths = sshPaths({ home, platform: "linux" });
  mkdirSync(path.dirname(paths.userConfigFile), { mode: 0o700 });
  const userConfig = "Host *\n  User someone-else\n  IdentityFile ~/.ssh/id_other\n\nHost dev\n  HostName dev.example\n  Port 2200\n";
  writeFileSync(paths.userConfigFile, userConfig, { mode: 0o644 });
  const before = await sshG(paths.userConfigFile, "dev");
  await installSshConfig([entry(path.join(paths.keysDir, "k"))], paths, PROGRAM, "linux");

  assert.equal(mode(paths.userConfigFile), 0o644, "an existing file keeps its mode");
  const alias = deriveHostAlias(VM);
  const ours = (await sshG(paths.userConfigFile, alias)).map;
  assert.equal(ours.get("user")?.[0], "azureuser");
  assert.equal(ours.get("identityfile")?.[0], path.join(paths.keysDir, "k"), "our key is tried first");
  assert.ok(ours.get("proxycommand")?.[0]?.includes(`stdio ${alias}`));
  assert.deepEqual((await sshG(paths.userConfigFile, "dev")).lines, before.lines, "the user's own host resolves exactly as before");

  await removeSshConfig(paths);
  assert.equal(readFileSync(paths.userConfigFile, "utf8"), userConfig, "removal gives back the user's file");
  assert.equal(existsSync(paths.configFile), false);
  assert.equal(existsSync(paths.launcherFile), false);
  assert.equal(existsSync(paths.dir), false, "our empty folder goes too");
});

test("a config that is a symbolic link stays a link; its target gets the block", async (t) => {
  const home = tempDir(t);
  const paths = sshPaths({ home, platform: "linux" });
  const dotfiles = path.join(home, "dotfiles");
  mkdirSync(dotfiles);
  mkdirSync(path.join(home, ".ssh"), { mode: 0o700 });
  writeFileSync(path.join(dotfiles, "ssh_config"), "Host a\n", { mode: 0o600 });
  symlinkSync(path.join(dotfiles, "ssh_config"), paths.userConfigFile);
  await installIncludeBlock(paths.userConfigFile, paths.configFile, { platform: "linux" });
  assert.ok(lstatSync(paths.userConfigFile).isSymbolicLink());
  assert.ok(readFileSync(path.join(dotfiles, "ssh_config"), "utf8").includes(`Include "${paths.configFile}"`));
});

test("a dangling symbolic link is refused rather than replaced by a file", async (t) => {
  const home = tempDir(t);
  const paths = sshPaths({ home, platform: "linux" });
  mkdirSync(path.join(home, ".ssh"), { mode: 0o700 });
  symlinkSync(path.join(home, "missing"), paths.userConfigFile);
  await assert.rejects(installIncludeBlock(paths.userConfigFile, paths.configFile, { platform: "linux" }), (e: unknown) => isJitError(e) && e.code === "SshConfigConflict");
  assert.ok(lstatSync(paths.userConfigFile).isSymbolicLink());
});

test("damaged markers: nothing is written, the error names file and line", async (t) => {
  const home = tempDir(t);
  const paths = sshPaths({ home, platform: "linux" });
  mkdirSync(path.join(home, ".ssh"), { mode: 0o700 });
  const damaged = "Host a\n# --- START AZURE JIT CONNECT: managed by the Azure JIT Connect extension, do not edit ---\nInclude x\n";
  writeFileSync(paths.userConfigFile, damaged);
  await assert.rejects(
    installSshConfig([entry("/k")], paths, PROGRAM, "linux"),
    (e: unknown) => isJitError(e) && e.code === "SshConfigConflict" && e.message.startsWith(`${paths.userConfigFile}, line 2:`),
  );
  assert.equal(readFileSync(paths.userConfigFile, "utf8"), damaged);
});

test("a refused value stops the install before the user's config is touched", async (t) => {
  const home = tempDir(t);
  const paths = sshPaths({ home, platform: "linux" });
  await assert.rejects(
    installSshConfig([{ ...entry("/k"), userName: "root\nProxyCommand evil" }], paths, PROGRAM, "linux"),
    (e: unknown) => isJitError(e) && e.code === "SshConfigUnsafeValue",
  );
  assert.equal(existsSync(paths.userConfigFile), false);
});

test("a custom config path (remote.SSH.configFile) gets the block; our folder sits next to it", async (t) => {
  const home = tempDir(t);
  const paths = sshPaths({ home, userConfigFile: "~/work/ssh config", platform: "linux" });
  assert.equal(paths.userConfigFile, path.join(home, "work", "ssh config"));
  assert.equal(paths.dir, path.join(home, "work", "azure-jit-connect"));
  await installSshConfig([entry(path.join(paths.keysDir, "k"))], paths, PROGRAM, "linux");
  assert.equal((await sshG(paths.userConfigFile, deriveHostAlias(VM))).map.get("user")?.[0], "azureuser");
  assert.throws(() => sshPaths({ home, userConfigFile: "relative/config", platform: "linux" }), (e: unknown) => isJitError(e) && e.code === "InvalidSetting");
});

test("inspectIncludeBlock tells missing, outdated and conditional apart", async (t) => {
  const home = tempDir(t);
  const paths = sshPaths({ home, platform: "linux" });
  assert.equal(await inspectIncludeBlock(paths.userConfigFile, paths.configFile, "linux"), "missing");
  await installIncludeBlock(paths.userConfigFile, "/elsewhere/config", { platform: "linux" });
  assert.equal(await inspectIncludeBlock(paths.userConfigFile, paths.configFile, "linux"), "outdated");
  writeFileSync(paths.userConfigFile, `Host x\n${readFileSync(paths.userConfigFile, "utf8")}`);
  assert.equal(await inspectIncludeBlock(paths.userConfigFile, paths.configFile, "linux"), "conditional");
});

test("our folder with loose permissions is tightened; a loosened config file gets 0600 back", async (t) => {
  const home = tempDir(t);
  const paths = sshPaths({ home, platform: "linux" });
  await installSshConfig([entry("/k")], paths, PROGRAM, "linux");
  chmodSync(paths.dir, 0o755);
  chmodSync(paths.configFile, 0o644);
  await installSshConfig([entry("/k")], paths, PROGRAM, "linux");
  assert.equal(mode(paths.dir), 0o700);
  assert.equal(mode(paths.configFile), 0o600);
});
