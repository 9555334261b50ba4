import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { deriveHostAlias } from "../../../src/core/ssh/hostAlias";
import { launcherFileName, renderLauncher } from "../../../src/core/ssh/proxyCommand";
import { renderConfigFile } from "../../../src/core/ssh/renderHostBlock";
import { run } from "./helpers/ssh";
import { tempDir } from "./helpers/tempDir";

/**
 * Runs ssh for real, so that the user's shell executes our ProxyCommand: the program must receive
 * exactly our arguments (paths with spaces, %, #, quotes and shell operators intact, no token
 * expanded) and, through the launcher, ELECTRON_RUN_AS_NODE=1.
 */

const VM = { id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1", name: "vm1" };
const RECORDER = `require("node:fs").writeFileSync(require("node:path").join(__dirname, "argv.json"), JSON.stringify({ argv: process.argv.slice(1), electron: process.env.ELECTRON_RUN_AS_NODE ?? null }));
process.exit(1);
`;

interface Recorded {
  argv: string[];
  electron: string | null;
}

async function connectOnce(dir: string, viaLauncher: boolean, shell: string): Promise<Recorded> {
  const launcher = path.join(dir, launcherFileName("linux"));
  writeFileSync(launcher, renderLauncher("linux"), { mode: 0o700 });
  const tunnelScript = path.join(dir, "tunnel %h %p %r %%.cjs");
  writeFileSync(tunnelScript, RECORDER);
  const config = path.join(dir, "config");
  const options = {
    proxy: { ...(viaLauncher ? { launcher } : {}), nodePath: process.execPath, tunnelScript, args: ["--probe", "x=1"] },
    knownHostsFile: path.join(dir, "known_hosts"),
    platform: "linux" as const,
  };
  writeFileSync(config, renderConfigFile([{ vm: VM, userName: "u", userField: "f", auth: { kind: "password" } }], options));
  rmSync(path.join(dir, "argv.json"), { force: true });
  const r = await run("ssh", ["-F", config, "-o", "BatchMode=yes", deriveHostAlias(VM), "true"], { SHELL: shell });
  assert.notEqual(r.code, 0, "the recorder closes the connection");
  assert.ok(existsSync(path.join(dir, "argv.json")), `the ProxyCommand ran (ssh said: ${r.stderr})`);
  return JSON.parse(readFileSync(path.join(dir, "argv.json"), "utf8")) as Recorded;
}

for (const shell of ["/bin/sh", "/bin/bash"].filter((s) => existsSync(s))) {
  test(`${shell} runs the launcher with exactly our arguments`, async (t) => {
    const dir = tempDir(t, "azjit pc %h %%p #1 'q' & ; | (é) ");
    const recorded = await connectOnce(dir, true, shell);
    const alias = deriveHostAlias(VM);
    assert.deepEqual(recorded.argv, [path.join(dir, "tunnel %h %p %r %%.cjs"), "stdio", alias, "--probe", "x=1"]);
    assert.equal(recorded.electron, "1");
  });
}

test("without the launcher the same arguments arrive, and ELECTRON_RUN_AS_NODE is not set", async (t) => {
  const dir = tempDir(t, "azjit direct %h ");
  const recorded = await connectOnce(dir, false, "/bin/sh");
  assert.deepEqual(recorded.argv.slice(1), ["stdio", deriveHostAlias(VM), "--probe", "x=1"]);
  assert.equal(recorded.electron, null);
});

test("the launcher holds no path and no secret, and is the same for every VM", () => {
  const posix = renderLauncher("linux");
  assert.ok(posix.startsWith("#!/bin/sh\n"));
  assert.ok(posix.includes('exec "$@"'));
  assert.ok(!posix.includes("/home") && !posix.includes("%"));
  assert.ok(renderLauncher("win32").includes("set ELECTRON_RUN_AS_NODE=1\r\n%*\r\n"));
  assert.equal(launcherFileName("win32"), "azure-jit-tunnel.cmd");
});
