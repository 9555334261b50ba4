/**
 * Issue 12, item 3: two VS Code windows share global storage and ~/.ssh. Two processes run
 * concurrent rounds on one folder (profiles.json, our SSH config, the key folder, temp files):
 * no round fails (the old code lost a temp file to the other window's cleanup: ENOENT), no
 * profile, Host block or key is lost (each window overwrote the other's), and a window's shutdown
 * leaves the other's live keys in place (closing one window removed every key).
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import type { Grant } from "../../../src/core/access/grant";
import { type AccessRecord, GrantStore } from "../../../src/core/access/grantStore";
import { deriveHostAlias } from "../../../src/core/ssh/hostAlias";
import { sshPaths } from "../../../src/core/ssh/sshPaths";

const WORKER = path.join(__dirname, "support", "sharedStateWorker.ts");
const ROUNDS = 12;

function runWorker(root: string, name: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", WORKER, root, name, String(ROUNDS)], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

test("two windows on one storage folder: concurrent rounds, no failure, nothing lost", { timeout: 180_000 }, async (t) => {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-two-windows-"));
  t.after(() => fsp.rm(root, { recursive: true, force: true }));
  const results = await Promise.all([runWorker(root, "a"), runWorker(root, "b")]);
  for (const r of results) assert.equal(r.code, 0, r.output);

  const alias = (name: string): string => deriveHostAlias({ id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}`, name });
  const expected = ["a", "b"].flatMap((w) => Array.from({ length: ROUNDS }, (_, i) => alias(`vm-${w}-${i}`))).sort();
  const profiles = JSON.parse(await fsp.readFile(path.join(root, "globalStorage", "profiles.json"), "utf8")) as { profiles: { alias: string }[] };
  assert.deepEqual(profiles.profiles.map((p) => p.alias).sort(), expected, "every profile of both windows");

  const paths = sshPaths({ home: root });
  const config = await fsp.readFile(paths.configFile, "utf8");
  const hosts = [...config.matchAll(/^Host (\S+)$/gm)].map((m) => m[1]).sort();
  assert.deepEqual(hosts, expected, "every Host block of both windows");

  const keys = (await fsp.readdir(paths.keysDir)).filter((n) => !n.includes(".")).sort();
  assert.deepEqual(keys, expected, "both windows' live keys survive the other's shutdowns");
  assert.deepEqual((await fsp.readdir(paths.dir)).filter((n) => n.endsWith(".tmp") || n.endsWith(".lock")), [], "no temp file or lock left behind");

  // What ssh makes of it: each alias resolves to its own key (real ssh, the written config).
  const ssh = await promisify(execFile)("ssh", ["-G", "-F", paths.configFile, alias("vm-b-3")]).catch(() => undefined);
  if (ssh) assert.match(ssh.stdout, new RegExp(`^identityfile ${path.join(paths.keysDir, alias("vm-b-3")).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
});

test("two windows' grant stores on one file: each keeps the other's records; a removal is not undone", async (t) => {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-two-grants-"));
  t.after(() => fsp.rm(root, { recursive: true, force: true }));
  const file = path.join(root, "state", "grants.json");
  const recordFor = (vm: string): AccessRecord => {
    const vmId = `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${vm}`;
    const grant: Grant = { vmId, vmName: vm, tenantId: "t", subscriptionId: "s", roleAssignment: { requestName: "r", scope: "/subscriptions/s/resourceGroups/rg", roleDefinitionId: "role", endsAt: 2000 }, jit: { policyId: "p", requestStart: 1000, endsAt: 2000, port: 22, sourcePrefix: "10.0.1.0/26" }, expiresAt: 2000, grantedAt: 1000 };
    return { vmId, vmName: vm, state: { kind: "granted", grant }, grant, updatedAt: 1000 };
  };
  const a = await GrantStore.open(file);
  const b = await GrantStore.open(file);
  await Promise.all([a.put(recordFor("vm-a")), b.put(recordFor("vm-b")), a.put(recordFor("vm-a2")), b.put(recordFor("vm-b2"))]);
  const names = async (): Promise<string[]> => (await GrantStore.open(file)).all().map((r) => r.vmName).sort();
  assert.deepEqual(await names(), ["vm-a", "vm-a2", "vm-b", "vm-b2"], "the old store wrote only its own window's records");
  await b.remove(recordFor("vm-b").vmId);
  await a.put(recordFor("vm-a3"));
  assert.deepEqual(await names(), ["vm-a", "vm-a2", "vm-a3", "vm-b2"]);
});
