/**
 * Readable ssh failures: real `ssh` runs through our tunnel against the simulator fail for a known
 * reason each, and the classification names that reason and the next action.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { JitConnectService } from "../../../src/core/service/jitConnectService";
import { classifySshFailure } from "../../../src/core/ssh/sshFailure";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { memoryLogger } from "../access/support/simContext";
import { runtimeDirOf, startSimService } from "../../support/simService";

const ALICE = "alice@contoso.example";

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("readable ssh failures through the tunnel", { timeout: 180_000 }, () => {
  let t: TestSimulator;
  let root: string;
  let service: JitConnectService;
  let env: NodeJS.ProcessEnv;
  const ssh = async (alias: string): Promise<{ code: number | null; stderr: string }> =>
    run("ssh", ["-F", service.paths.configFile, "-o", "BatchMode=yes", "-o", "ConnectTimeout=20", alias, "true"], env);

  before(async () => {
    t = await startTestSimulator("demo");
    root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-sshfail-"));
    const xdg = runtimeDirOf(root);
    await fsp.mkdir(xdg, { recursive: true, mode: 0o700 });
    // The service's own ssh runs (Check Connectivity) inherit this process's environment, as in VS Code.
    process.env.XDG_RUNTIME_DIR = xdg;
    env = { ...process.env, XDG_RUNTIME_DIR: xdg, TMPDIR: root };
    service = await startSimService(t, { user: ALICE, root, accessInput: async (request) => ({ justification: "ssh failure test", durationMs: Math.min(60 * 60_000, request.maxDurationMs) }), logger: memoryLogger() });
  });

  after(async () => {
    await service?.dispose();
    await t?.stop();
    if (root) await fsp.rm(root, { recursive: true, force: true });
  });

  it("a changed host key", async () => {
    const vm = service.inventory!.vms.find((v) => v.name === "vm-ready")!;
    const info = await service.connect(vm.id);
    const ok = await ssh(info.alias);
    assert.equal(ok.code, 0, ok.stderr);
    const healthy = await service.checkConnectivity(vm.id);
    assert.equal(healthy.find((i) => i.check === "sshLogin")?.status, "ok", JSON.stringify(healthy));
    // Replace the pinned key with another one: what a rebuilt VM (or a machine in between) looks like.
    const known = await fsp.readFile(service.paths.knownHostsFile, "utf8");
    const other = "AAAAC3NzaC1lZDI1NTE5AAAAIIzh5lKdJ4a0f1uS3Z4fVbWb0H3i0b0kq4mTQ0l6fS1y";
    await fsp.writeFile(service.paths.knownHostsFile, known.replace(/ssh-ed25519 \S+/g, `ssh-ed25519 ${other}`));
    const failed = await ssh(info.alias);
    assert.equal(failed.code, 255);
    const f = classifySshFailure({ exitCode: failed.code, stderr: failed.stderr, vmName: "vm-ready" });
    assert.equal(f.cause, "hostKeyChanged", failed.stderr);
    assert.match(f.message, /Forget Host Key/);
    await fsp.writeFile(service.paths.knownHostsFile, known);
  });

  it("the JIT window closed (expired on Azure's clock while the key is still here)", async () => {
    const vm = service.inventory!.vms.find((v) => v.name === "vm-dev-01")!;
    const info = await service.connect(vm.id);
    // Close the JIT window behind the extension's back: a newer request from the user's own IP
    // revokes ours (statusReason NewerRequestInitiated), as one made from the portal would.
    await t.control.portalJit(ALICE, "vm-dev-01", { sourcePrefix: "203.0.113.7" });
    const failed = await ssh(info.alias);
    assert.equal(failed.code, 255);
    const f = classifySshFailure({ exitCode: failed.code, stderr: failed.stderr, vmName: "vm-dev-01" });
    assert.equal(f.cause, "jitMissing", failed.stderr);
    assert.match(f.message, /request access again/);
    // Check Connectivity says the same, from a real ssh sign-in attempt.
    const report = await service.checkConnectivity(vm.id);
    const login = report.find((i) => i.check === "sshLogin") ?? assert.fail(JSON.stringify(report));
    assert.equal(login.status, "fail");
    assert.match(login.detail, /no JIT window is open/);
  });

  it("no VS Code window (the broker is gone)", async () => {
    const vm = service.inventory!.vms.find((v) => v.name === "vm-ready")!;
    const alias = service.profiles.forVm(vm.id)!.alias;
    await service.dispose();
    const failed = await run("ssh", ["-F", service.paths.configFile, "-o", "BatchMode=yes", "-o", "ConnectTimeout=20", "-i", "/dev/null", alias, "true"], env);
    assert.equal(failed.code, 255);
    const f = classifySshFailure({ exitCode: failed.code, stderr: failed.stderr, vmName: "vm-ready" });
    assert.equal(f.cause, "brokerGone", failed.stderr);
  });
});
