/**
 * `tunnel.js port` and the in-process `startLocalForwarder`: a local port on 127.0.0.1 whose every
 * accepted connection gets its own Bastion session.
 */
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import * as net from "node:net";
import { after, before, describe, test } from "node:test";
import { startLocalForwarder } from "../../src/core/bastion/localForwarder";
import { requestSession } from "../../src/core/bastion/tokenApi";
import { ExitCode } from "../../src/tunnel/exitCodes";
import type { ReadyLine } from "../../src/tunnel/portCommand";
import { ARM_TOKEN, runTunnel, sha256, startTunnelWorld, type TunnelWorld, vmId, waitFor } from "./support/tunnelWorld";

const MB = 1024 * 1024;

interface Forwarder {
  child: ChildProcessWithoutNullStreams;
  ready: ReadyLine;
  stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

async function startPortMode(world: TunnelWorld, args: string[] = []): Promise<Forwarder> {
  const child = spawn(process.execPath, [world.tunnelJs, "port", "vm-01", "--local-port", "0", "--wait-broker", "0", ...args], { env: world.env(), stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
    });
    void exited.then((code) => reject(new Error(`port mode exited with ${code}: ${stderr}`)));
  });
  return {
    child,
    ready: JSON.parse(line) as ReadyLine,
    stderr: () => stderr,
    stop: (signal = "SIGTERM") => {
      child.kill(signal);
      return exited;
    },
  };
}

/** ssh to 127.0.0.1:<port> (no ProxyCommand: the forwarder is the path). */
function sshViaPort(world: TunnelWorld, port: number, command: string, stdin?: Buffer): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const args = ["-F", "/dev/null", "-o", `UserKnownHostsFile=${world.knownHostsFile}`, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "HostKeyAlias=vm-01", "-o", "StrictHostKeyChecking=yes"];
  args.push("-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-i", world.keyFile, "-p", String(port), "-l", world.user, "127.0.0.1", command);
  const child = spawn("ssh", args, { env: world.env(), stdio: ["pipe", "pipe", "pipe"] });
  const out: Buffer[] = [];
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.on("error", () => undefined);
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out), stderr })));
}

function connectOutcome(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe("tunnel.js port", { timeout: 5 * 60_000 }, () => {
  let world: TunnelWorld;
  before(async () => {
    world = await startTunnelWorld();
  });
  after(async () => {
    await world.close();
  });

  test("prints one ready line, listens on 127.0.0.1 only, and ssh -p reaches the VM", async () => {
    const forwarder = await startPortMode(world);
    try {
      assert.equal(forwarder.ready.event, "ready");
      assert.equal(forwarder.ready.address, "127.0.0.1");
      assert.equal(forwarder.ready.host, "vm-01");
      assert.equal(forwarder.ready.remotePort, 22);
      assert.ok(forwarder.ready.port > 0);
      assert.equal(await connectOutcome("127.0.0.2", forwarder.ready.port), "ECONNREFUSED", "not reachable on another address");
      const result = await sshViaPort(world, forwarder.ready.port, 'echo "$AZSIM_VM"');
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.toString(), "vm-01\n");
    } finally {
      assert.equal(await forwarder.stop(), ExitCode.ok);
    }
    assert.equal(forwarder.stderr(), "");
    await waitFor("sessions deleted", () => world.dataPlane.openSessions() === 0 && world.dataPlane.activeRelays() === 0);
  });

  test("20 concurrent connections, independent sessions, all intact", async () => {
    const forwarder = await startPortMode(world);
    const mintedBefore = world.minted.length;
    try {
      const payloads = Array.from({ length: 20 }, () => randomBytes(MB));
      const results = await Promise.all(payloads.map((p) => sshViaPort(world, forwarder.ready.port, "cat", p)));
      results.forEach((r, i) => {
        assert.equal(r.code, 0, r.stderr);
        assert.equal(sha256(r.stdout), sha256(payloads[i] ?? Buffer.alloc(0)), `connection ${i}`);
      });
      const minted = world.minted.slice(mintedBefore);
      assert.equal(new Set(minted.map((s) => s.authToken)).size, 20);
      await waitFor("sessions deleted", () => world.dataPlane.openSessions() === 0);
    } finally {
      await forwarder.stop();
    }
  });

  test("a refused connection is closed with a message; the forwarder keeps serving", async () => {
    const forwarder = await startPortMode(world);
    try {
      world.noAccess.add("vm-01");
      const refused = await sshViaPort(world, forwarder.ready.port, "true");
      assert.equal(refused.code, 255);
      await waitFor("the refusal is reported", () => forwarder.stderr().includes("No active access for vm-01: run Request access"));
      assert.match(forwarder.stderr(), /^azure-jit-connect: connection 1 to vm-01:22: No active access for vm-01: run Request access$/m);
      world.noAccess.delete("vm-01");
      const ok = await sshViaPort(world, forwarder.ready.port, 'echo "$AZSIM_VM"');
      assert.equal(ok.stdout.toString(), "vm-01\n");
    } finally {
      world.noAccess.delete("vm-01");
      await forwarder.stop();
    }
  });

  test("stopping the forwarder closes live connections and deletes their sessions", async () => {
    const forwarder = await startPortMode(world);
    const socket = net.connect({ host: "127.0.0.1", port: forwarder.ready.port });
    const banner = await new Promise<string>((resolve) => socket.once("data", (d: Buffer) => resolve(d.toString())));
    assert.match(banner, /^SSH-2\.0-OpenSSH/);
    assert.equal(world.dataPlane.activeRelays(), 1);
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => undefined);
    assert.equal(await forwarder.stop("SIGINT"), ExitCode.ok);
    await closed;
    await waitFor("sessions deleted", () => world.dataPlane.openSessions() === 0 && world.dataPlane.activeRelays() === 0);
  });

  test("a port in use, or no VS Code window: a clear message and its exit code", async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const busy = await runTunnel(world, ["port", "vm-01", "--local-port", String(port), "--wait-broker", "0"]);
      assert.equal(busy.code, ExitCode.localPortUnavailable);
      assert.equal(busy.stderr, `azure-jit-connect: Port ${port} on 127.0.0.1 is already in use: choose another local port, or 0 for any free port\n`);
      assert.equal(busy.stdout, "", "no ready line");
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
    await world.broker?.close();
    try {
      const none = await runTunnel(world, ["port", "vm-01", "--local-port", "0", "--wait-broker", "0"]);
      assert.equal(none.code, ExitCode.brokerUnavailable);
      assert.match(none.stderr, /not running in any VS Code window/);
    } finally {
      await world.startBroker();
    }
  });

  test("in-process forwarder (the extension's own use): sessions from requestSession, closed on close()", async () => {
    const ends: string[] = [];
    const forwarder = await startLocalForwarder({
      target: "vm-01:22",
      openSession: (signal) => requestSession({ endpoint: world.dataPlane.dnsName, resourceId: vmId("vm-01"), port: 22, armToken: ARM_TOKEN }, signal),
      onConnectionEnd: (outcome) => ends.push("result" in outcome ? outcome.result.end.kind : outcome.error.message),
    });
    try {
      assert.equal(forwarder.address, "127.0.0.1");
      const data = randomBytes(4 * MB);
      const result = await sshViaPort(world, forwarder.port, "cat", data);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(createHash("sha256").update(result.stdout).digest("hex"), sha256(data));
      await waitFor("the connection ends", () => ends.length === 1);
      assert.ok(ends[0] === "localEnded" || ends[0] === "remoteClosed", ends[0]);
      const idle = net.connect({ host: "127.0.0.1", port: forwarder.port });
      idle.on("error", () => undefined);
      await waitFor("a second connection relays", () => forwarder.activeConnections() === 1 && world.dataPlane.activeRelays() === 1);
    } finally {
      await forwarder.close();
    }
    assert.equal(forwarder.activeConnections(), 0);
    await waitFor("sessions deleted", () => world.dataPlane.openSessions() === 0 && world.dataPlane.activeRelays() === 0);
    assert.equal(await connectOutcome("127.0.0.1", forwarder.port), "ECONNREFUSED");
  });
});
