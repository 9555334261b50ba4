/**
 * `tunnel.js stdio` as ssh's ProxyCommand, end to end: real ssh → tunnel.js → in-test broker →
 * the simulator's Bastion data plane → real sshd.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { ExitCode } from "../../src/tunnel/exitCodes";
import { ARM_TOKEN, childPids, isRunning, runTunnel, sha256, sshThroughTunnel, startTunnelWorld, type TunnelWorld, vmId, waitFor } from "./support/tunnelWorld";

const MB = 1024 * 1024;

/** An endless (or `limit`-byte) stream of data, counting what was read from it. */
function source(limit = Infinity): Readable & { produced: () => number } {
  const block = randomBytes(64 * 1024);
  let produced = 0;
  const stream = new Readable({
    read() {
      if (produced >= limit) return void this.push(null);
      produced += block.length;
      this.push(Buffer.from(block));
    },
  });
  return Object.assign(stream, { produced: () => produced });
}

/** The tunnel process ssh started (its ProxyCommand). */
async function tunnelOf(world: TunnelWorld, sshPid: number): Promise<number> {
  let pid: number | undefined;
  await waitFor("ssh starts its ProxyCommand", async () => {
    for (const child of await childPids(sshPid)) {
      const cmdline = await fsp.readFile(`/proc/${child}/cmdline`, "utf8").catch(() => "");
      if (cmdline.includes(world.tunnelJs)) pid = child;
    }
    return pid !== undefined;
  });
  assert.ok(pid);
  return pid;
}

async function noSessionsLeft(world: TunnelWorld): Promise<void> {
  await waitFor("every session is deleted and every relay closed", () => world.dataPlane.openSessions() === 0 && world.dataPlane.activeRelays() === 0);
}

describe("tunnel.js stdio (ssh ProxyCommand)", { timeout: 10 * 60_000 }, () => {
  let world: TunnelWorld;
  before(async () => {
    world = await startTunnelWorld({ vms: ["vm-01", "vm-02"] });
  });
  after(async () => {
    await world.close();
  });

  test("ssh runs a command on the VM through the Bastion, and the session is deleted", async () => {
    const before = world.audit.length;
    const result = await sshThroughTunnel(world, { host: "vm-01", command: 'echo "$AZSIM_VM"' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "vm-01\n");
    assert.equal(result.stderr, "", "a normal connection prints nothing");
    await noSessionsLeft(world);
    const calls = world.audit.slice(before).map((a) => `${a.method} ${a.path} ${a.status}`);
    assert.deepEqual(calls, ["POST /api/tokens 200", "GET /webtunnelv2/<redacted> 101", "DELETE /api/tokens/<redacted> 204"]);
    const other = await sshThroughTunnel(world, { host: "vm-02", command: 'echo "$AZSIM_VM"' });
    assert.equal(other.stdout, "vm-02\n", "the host alias picks the VM");
  });

  test("64 MiB up, 64 MiB down and 64 MiB both ways at once arrive intact", async () => {
    const data = randomBytes(64 * MB);
    const digest = sha256(data);

    const up = await sshThroughTunnel(world, { host: "vm-01", command: "sha256sum", stdin: data });
    assert.equal(up.code, 0, up.stderr);
    assert.equal(up.stdout.split(" ")[0], digest);

    const file = path.join(world.root, "payload.bin");
    await fsp.writeFile(file, data, { mode: 0o644 });
    try {
      const down = await sshThroughTunnel(world, { host: "vm-01", command: `cat ${file}` });
      assert.equal(down.code, 0, down.stderr);
      assert.equal(down.stdoutBytes, data.length);
      assert.equal(down.stdoutSha256, digest);
    } finally {
      await fsp.rm(file, { force: true });
    }

    const echo = await sshThroughTunnel(world, { host: "vm-01", command: "cat", stdin: data });
    assert.equal(echo.code, 0, echo.stderr);
    assert.equal(echo.stdoutSha256, digest);
    await noSessionsLeft(world);
  });

  test("20 concurrent connections, each with its own session, all intact", async () => {
    const mintedBefore = world.minted.length;
    const payloads = Array.from({ length: 20 }, () => randomBytes(MB));
    const results = await Promise.all(payloads.map((p, i) => sshThroughTunnel(world, { host: i % 2 ? "vm-01" : "vm-02", command: "cat", stdin: p })));
    results.forEach((r, i) => {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdoutSha256, sha256(payloads[i] ?? Buffer.alloc(0)), `connection ${i}`);
    });
    const minted = world.minted.slice(mintedBefore);
    assert.equal(minted.length, 20);
    assert.equal(new Set(minted.map((s) => s.authToken)).size, 20, "independent sessions");
    await noSessionsLeft(world);
  });

  test("no VS Code window running: ssh shows what to do; the tunnel exits 3", async () => {
    await world.broker?.close();
    try {
      const viaSsh = await sshThroughTunnel(world, { host: "vm-01", command: "true" });
      assert.equal(viaSsh.code, 255);
      assert.match(viaSsh.stderr, /^azure-jit-connect: Azure JIT Connect is not running in any VS Code window: open VS Code and run Request access for vm-01$/m);
      const direct = await runTunnel(world, ["stdio", "vm-01", "--wait-broker", "0"]);
      assert.equal(direct.code, ExitCode.brokerUnavailable);
      assert.equal(direct.stderr, "azure-jit-connect: Azure JIT Connect is not running in any VS Code window: open VS Code and run Request access for vm-01\n");
      assert.equal(direct.stdout, "");
    } finally {
      await world.startBroker();
    }
  });

  test("no active access: the extension's reason reaches the user; the tunnel exits 4", async () => {
    world.noAccess.add("vm-01");
    try {
      const viaSsh = await sshThroughTunnel(world, { host: "vm-01", command: "true" });
      assert.equal(viaSsh.code, 255);
      assert.match(viaSsh.stderr, /^azure-jit-connect: No active access for vm-01: run Request access$/m);
      const direct = await runTunnel(world, ["stdio", "vm-01", "--wait-broker", "0"]);
      assert.equal(direct.code, ExitCode.refused);
      assert.equal(direct.stderr, "azure-jit-connect: No active access for vm-01: run Request access\n");
    } finally {
      world.noAccess.delete("vm-01");
    }
  });

  test("ssh killed mid-transfer: the tunnel exits and its session is deleted", async () => {
    const input = source();
    let sshPid = 0;
    const run = sshThroughTunnel(world, { host: "vm-01", command: "cat > /dev/null", stdin: input, onSpawn: (pid) => (sshPid = pid) });
    const tunnelPid = await tunnelOf(world, sshPid);
    await waitFor("data flows", () => input.produced() > 8 * MB);
    process.kill(sshPid, "SIGKILL");
    const result = await run;
    assert.equal(result.signal, "SIGKILL");
    input.destroy();
    await waitFor("the tunnel exits", async () => !(await isRunning(tunnelPid)));
    await noSessionsLeft(world);
  });

  test("the WebSocket dropped mid-transfer: a clear message, ssh fails, the session is deleted", async () => {
    world.upgradeFaults.push({ dropWebSocketAfterBytes: 4 * MB });
    const result = await sshThroughTunnel(world, { host: "vm-01", command: "cat > /dev/null", stdin: source(64 * MB) });
    assert.equal(result.code, 255);
    assert.match(result.stderr, /^azure-jit-connect: The tunnel to vm-01:22 dropped: the connection to the Bastion was lost/m);
    await noSessionsLeft(world);
  });

  test("the VM stopped mid-transfer: a clear message, ssh fails, the session is deleted", async () => {
    const input = source();
    let sshPid = 0;
    const run = sshThroughTunnel(world, { host: "vm-02", command: "cat > /dev/null", stdin: input, onSpawn: (pid) => (sshPid = pid) });
    await tunnelOf(world, sshPid);
    await waitFor("data flows", () => input.produced() > 8 * MB);
    await world.vmHost.stop(vmId("vm-02"));
    try {
      const result = await run;
      input.destroy();
      assert.equal(result.code, 255);
      assert.match(result.stderr, /^azure-jit-connect: The tunnel to vm-02:22 dropped: the Bastion closed it \(code 1011: Connection to the VM/m);
      await noSessionsLeft(world);
    } finally {
      await world.restartVm("vm-02");
    }
  });

  test("a VS Code window reloading does not cut a running connection", async () => {
    const data = randomBytes(32 * MB);
    const stream = new Readable({ read() {} });
    const run = sshThroughTunnel(world, { host: "vm-01", command: "cat", stdin: stream });
    stream.push(data.subarray(0, 16 * MB));
    await waitFor("the tunnel is relaying", () => world.dataPlane.activeRelays() === 1);
    await world.broker?.close(); // the extension host goes away...
    stream.push(data.subarray(16 * MB));
    stream.push(null);
    const result = await run;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdoutSha256, sha256(data), "...and the connection carries on");
    await world.startBroker(); // ...and the reloaded window serves the next connections
    assert.equal((await sshThroughTunnel(world, { host: "vm-01", command: 'echo "$AZSIM_VM"' })).stdout, "vm-01\n");
  });

  test("secrets: none in the tunnel's argv or environment; private socket and folder", async () => {
    const stdin = new Readable({ read() {} });
    let sshPid = 0;
    const run = sshThroughTunnel(world, { host: "vm-01", command: "cat > /dev/null", stdin, onSpawn: (pid) => (sshPid = pid) });
    const tunnelPid = await tunnelOf(world, sshPid);
    await waitFor("the tunnel is relaying", () => world.dataPlane.activeRelays() === 1);
    const session = world.minted.at(-1);
    assert.ok(session);
    const websocketToken = new URL(session.websocketUrl).pathname.split("/").pop() ?? "";
    const secrets = [ARM_TOKEN, session.authToken, websocketToken];
    for (const pid of [tunnelPid, sshPid]) {
      const cmdline = await fsp.readFile(`/proc/${pid}/cmdline`, "utf8");
      const environ = await fsp.readFile(`/proc/${pid}/environ`, "utf8");
      for (const secret of secrets) {
        assert.ok(secret.length > 16);
        assert.ok(!cmdline.includes(secret), `a secret in /proc/${pid}/cmdline`);
        assert.ok(!environ.includes(secret), `a secret in /proc/${pid}/environ`);
      }
    }
    assert.equal((await fsp.stat(world.runtimeDir)).mode & 0o777, 0o700);
    assert.ok(world.broker);
    assert.equal((await fsp.lstat(world.broker.path)).mode & 0o777, 0o600);
    stdin.push(null);
    assert.equal((await run).code, 0);
    await noSessionsLeft(world);
  });

  test("signals: SIGHUP (ssh's goodbye) ends cleanly, SIGTERM exits 143; both delete the session", async () => {
    for (const [signal, code] of [["SIGHUP", ExitCode.ok], ["SIGTERM", ExitCode.terminated]] as const) {
      const child = spawn(process.execPath, [world.tunnelJs, "stdio", "vm-01", "--wait-broker", "0"], { env: world.env(), stdio: ["pipe", "pipe", "pipe"] });
      const banner = await new Promise<string>((resolve) => child.stdout.once("data", (d: Buffer) => resolve(d.toString())));
      assert.match(banner, /^SSH-2\.0-OpenSSH/, "sshd's banner came through");
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.kill(signal);
      const exit = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
      assert.equal(exit, code, `${signal}: ${stderr}`);
      assert.equal(stderr, "");
      await noSessionsLeft(world);
    }
  });
});
