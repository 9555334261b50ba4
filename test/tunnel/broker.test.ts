import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import type { BastionSession } from "../../src/core/bastion/bastionSession";
import { releaseSession } from "../../src/core/bastion/sessionLease";
import { requestSession } from "../../src/core/bastion/tokenApi";
import { askBroker, getPasswordThroughBroker, openSessionThroughBroker } from "../../src/core/broker/brokerClient";
import { type BrokerHandler, type BrokerServer, startBrokerServer } from "../../src/core/broker/brokerServer";
import { listBrokerEndpoints } from "../../src/core/broker/runtimeDir";
import { isJitError, JitError } from "../../src/core/errors";
import type { Logger } from "../../src/core/logger";
import { ExitCode, exitCodeForError } from "../../src/tunnel/exitCodes";
import { ARM_TOKEN, startTunnelWorld, type TunnelWorld, vmId, waitFor } from "./support/tunnelWorld";

/** A child that takes a session through the broker and holds it (as a relaying tunnel does) until killed. */
const HOLD_SESSION_SCRIPT = `
const { openSessionThroughBroker } = require(${JSON.stringify(path.resolve(__dirname, "../../src/core/broker/brokerClient.ts"))});
openSessionThroughBroker("vm-01", 22, { runtimeDirs: [process.argv[1]] }).then(() => { process.stdout.write("held\\n"); setInterval(() => undefined, 1000); });
`;

const SESSION: BastionSession = {
  endpoint: "https://localhost:9",
  websocketUrl: "wss://localhost:9/webtunnelv2/ws-token-secret?X-Node-Id=n",
  authToken: "auth-token-secret",
  nodeId: "n",
};

function handler(overrides: Partial<BrokerHandler> = {}): BrokerHandler {
  return {
    openSession: async () => SESSION,
    getPassword: async () => "pa55word",
    ...overrides,
  };
}

function capturingLogger(): Logger & { text(): string } {
  const lines: string[] = [];
  const push = (m: string | Error, ...args: unknown[]): void => void lines.push([m instanceof Error ? m.message : m, ...args.map(String)].join(" "));
  return { text: () => lines.join("\n"), trace: push, debug: push, info: push, warn: push, error: push };
}

async function rejection(promise: Promise<unknown>): Promise<JitError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(isJitError(e), `expected a JitError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected a rejection");
}

/** Sends raw bytes to a broker socket; collects reply lines until the broker closes or `lines` arrive. */
function rawExchange(socketPath: string, payload: Buffer | string, lines = Infinity): Promise<{ lines: string[]; closed: boolean }> {
  return new Promise((resolve) => {
    const conn = net.connect({ path: socketPath });
    let text = "";
    const done = (closed: boolean): void => {
      conn.destroy();
      resolve({ lines: text.split("\n").filter(Boolean), closed });
    };
    conn.on("data", (d: Buffer) => {
      text += d.toString();
      if (text.split("\n").filter(Boolean).length >= lines) done(false);
    });
    conn.on("close", () => done(true));
    conn.on("error", () => undefined);
    conn.write(payload);
  });
}

describe("local broker", { timeout: 5 * 60_000 }, () => {
  let tmp: string;
  let dir: string;
  const servers: BrokerServer[] = [];
  const start = async (h: BrokerHandler, extra: Partial<Parameters<typeof startBrokerServer>[0]> = {}): Promise<BrokerServer> => {
    const server = await startBrokerServer({ runtimeDir: dir, handler: h, ...extra });
    servers.push(server);
    return server;
  };
  const client = { runtimeDirs: [] as string[] };

  beforeEach(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-broker-"));
    dir = path.join(tmp, "azure-jit-connect");
    client.runtimeDirs = [dir];
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  test("answers ping, openSession and getPassword from a private folder and socket", async () => {
    const logger = capturingLogger();
    const server = await start(handler(), { logger });
    assert.equal(path.basename(server.path), `broker-${process.pid}.sock`);
    assert.equal((await fsp.stat(dir)).mode & 0o777, 0o700);
    assert.equal((await fsp.lstat(server.path)).mode & 0o777, 0o600);
    const { pong } = await askBroker("ping", {}, "none", client);
    assert.deepEqual(pong, { pid: process.pid, protocol: 1, product: "azure-jit-connect" });
    assert.deepEqual(await openSessionThroughBroker("vm-01", 22, client), SESSION);
    assert.equal(await getPasswordThroughBroker("vm-pw", client), "pa55word");
    assert.ok(!/secret|pa55word/.test(logger.text()), "no session token or password in the broker's log");
  });

  test("a refusal reaches the tunnel with its code and message", async () => {
    await start(
      handler({
        openSession: async (host) => {
          throw new JitError("RoleNotActive", `No active access for ${host}: run Request access`);
        },
      }),
    );
    const e = await rejection(openSessionThroughBroker("vm-01", 22, client));
    assert.equal(e.code, "RoleNotActive");
    assert.equal(e.message, "No active access for vm-01: run Request access");
  });

  test("an unexpected handler failure is reported as Internal, redacted", async () => {
    await start(
      handler({
        openSession: async () => {
          throw new Error("boom with Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl");
        },
      }),
    );
    const e = await rejection(openSessionThroughBroker("vm-01", 22, client));
    assert.equal(e.code, "Internal");
    assert.match(e.message, /boom/);
    assert.ok(!e.message.includes("eyJhbGciOiJIUzI1NiJ9"), e.message);
  });

  test("no broker: a message that says what to do", async () => {
    const e = await rejection(openSessionThroughBroker("vm-01", 22, client));
    assert.equal(e.code, "BrokerUnavailable");
    assert.equal(e.message, "Azure JIT Connect is not running in any VS Code window: open VS Code and run Request access for vm-01");
  });

  /** A broker that died without cleaning up: a process listens on broker-<its pid>.sock, then is killed with SIGKILL. */
  async function leaveStaleSocket(): Promise<string> {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    const script = `require("net").createServer().listen(process.argv[1].replace("PID", process.pid), () => process.stdout.write("up\\n"));`;
    const child = spawn(process.execPath, ["-e", script, path.join(dir, "broker-PID.sock")], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise((r) => child.stdout.once("data", r));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const stale = path.join(dir, `broker-${child.pid}.sock`);
    assert.ok((await fsp.lstat(stale)).isSocket());
    return stale;
  }

  test("a dead extension host's socket is removed, and the live broker answers", async () => {
    const live = await start(handler(), { socketPath: path.join(dir, "broker-1.sock") });
    const stale = await leaveStaleSocket();
    // The client meets the dead one first (newest), finds it dead, removes it, and falls back to the live one.
    await fsp.utimes(stale, new Date(), new Date(Date.now() + 60_000));
    assert.equal((await listBrokerEndpoints(dir))[0]?.path, stale);
    assert.deepEqual(await openSessionThroughBroker("vm-01", 22, client), SESSION);
    await assert.rejects(fsp.lstat(stale), { code: "ENOENT" });
    assert.ok((await fsp.lstat(live.path)).isSocket());
  });

  test("a new broker sweeps sockets of dead processes", async () => {
    const stale = await leaveStaleSocket();
    await start(handler());
    await assert.rejects(fsp.lstat(stale), { code: "ENOENT" });
  });

  test("several VS Code windows: newest first, and a refusal falls back to another window", async () => {
    const seen: string[] = [];
    await start(
      handler({
        openSession: async () => {
          seen.push("old");
          return SESSION;
        },
      }),
      { socketPath: path.join(dir, "broker-1.sock") },
    );
    const newer = await start(
      handler({
        openSession: async (host) => {
          seen.push("new");
          throw new JitError("VmNotFound", `${host} is not in this window's inventory`);
        },
      }),
      { socketPath: path.join(dir, "broker-2.sock") },
    );
    await fsp.utimes(newer.path, new Date(), new Date(Date.now() + 60_000));
    assert.deepEqual(await openSessionThroughBroker("vm-01", 22, client), SESSION);
    assert.deepEqual(seen, ["new", "old"]);
  });

  test("waits for a broker that starts shortly (a window reloading)", async () => {
    const pending = openSessionThroughBroker("vm-01", 22, { ...client, waitForBrokerMs: 20_000 });
    await new Promise((r) => setTimeout(r, 300));
    await start(handler());
    assert.deepEqual(await pending, SESSION);
  });

  test("garbage, oversized lines and unknown versions get an error reply, not a crash", async () => {
    const server = await start(handler());
    const garbage = await rawExchange(server.path, "hello\n");
    assert.equal(garbage.closed, true);
    assert.match(garbage.lines[0] ?? "", /"ok":false,"code":"InvalidInput","message":"Bad request: request is not a JSON object"/);

    const huge = await rawExchange(server.path, Buffer.alloc(200 * 1024, 0x41));
    assert.equal(huge.closed, true);
    assert.match(huge.lines[0] ?? "", /Request longer than 65536 bytes/);

    const future = await rawExchange(server.path, '{"v":99,"id":4,"op":"ping"}\n{"v":1,"id":5,"op":"ping"}\n', 2);
    assert.match(future.lines[0] ?? "", /"id":4,"ok":false,"code":"UnsupportedVersion"/);
    assert.match(future.lines[1] ?? "", /"id":5,"ok":true,"pong"/, "the connection is still usable");

    // The broker is still serving.
    assert.deepEqual(await openSessionThroughBroker("vm-01", 22, client), SESSION);
  });

  test("concurrent requests are served concurrently", async () => {
    let running = 0;
    let peak = 0;
    await start(
      handler({
        openSession: async (host, port) => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 20));
          running--;
          return { ...SESSION, authToken: `${host}-${port}` };
        },
      }),
    );
    const sessions = await Promise.all(Array.from({ length: 20 }, (_, i) => openSessionThroughBroker(`vm-${i}`, 22, client)));
    assert.deepEqual(
      sessions.map((s) => s.authToken),
      Array.from({ length: 20 }, (_, i) => `vm-${i}-22`),
    );
    assert.ok(peak > 1, "requests overlapped");
  });

  test("a handler that hangs is cut at the deadline; a client that gives up aborts the handler", async () => {
    let aborted = 0;
    await start(
      handler({
        openSession: (_host, _port, signal) =>
          new Promise<BastionSession>((_resolve, reject) => {
            signal.addEventListener("abort", () => {
              aborted++;
              reject(signal.reason);
            });
          }),
      }),
      { requestTimeoutMs: 200 },
    );
    const timeout = await rejection(openSessionThroughBroker("vm-01", 22, client));
    assert.equal(timeout.code, "Timeout");
    assert.equal(timeout.message, "VS Code did not get an answer for vm-01:22 within 200 ms");
    assert.equal(aborted, 1);

    const controller = new AbortController();
    const pending = openSessionThroughBroker("vm-02", 22, client, controller.signal);
    await waitFor("the request reaches the broker", () => servers[0]?.inFlight() === 1);
    controller.abort();
    await assert.rejects(pending, { name: "CancellationError" });
    await waitFor("the handler is aborted", () => aborted === 2);
  });

  test("idle connections cannot exhaust the broker: the longest idle makes room; an idle one times out", async () => {
    const server = await start(handler());
    const idle: net.Socket[] = [];
    try {
      // Old broker: 64 silent connections and every further client was dropped without a word.
      for (let i = 0; i < 300; i++) {
        const conn = net.connect({ path: server.path });
        conn.on("error", () => undefined);
        await new Promise<void>((resolve) => conn.once("connect", () => resolve()));
        idle.push(conn);
      }
      assert.deepEqual(await openSessionThroughBroker("vm-01", 22, client), SESSION);
    } finally {
      for (const conn of idle) conn.destroy();
    }
    const quick = await start(handler(), { idleTimeoutMs: 50, socketPath: path.join(dir, "quick.sock") });
    const silent = await rawExchange(quick.path, "");
    assert.deepEqual(silent, { lines: [], closed: true }, "a connection that says nothing is closed");
  });

  test("at the connection cap with nobody idle, a newcomer gets a clear Busy refusal", async () => {
    const server = await start(handler(), { maxConnections: 2 });
    const a = await openSessionThroughBroker("vm-01", 22, client);
    const b = await openSessionThroughBroker("vm-02", 22, client);
    const third = await rawExchange(server.path, '{"v":1,"id":1,"op":"ping"}\n');
    assert.match(third.lines[0] ?? "", /"ok":false,"code":"Busy","message":"VS Code's broker already serves 2 tunnel connections/);
    releaseSession(a, true);
    await waitFor("a released connection frees a place", async () => (await rawExchange(server.path, '{"v":1,"id":1,"op":"ping"}\n', 1)).lines[0]?.includes('"ok":true') === true);
    releaseSession(b, true);
  });
  test("a session that is not https/wss is a clear configuration error (tunnel exit 2), not a bug", async () => {
    for (const bad of [{ ...SESSION, endpoint: "http://localhost:9" }, { ...SESSION, websocketUrl: "ws://localhost:9/webtunnelv2/t?X-Node-Id=n" }, { ...SESSION, websocketUrl: "wss://elsewhere.example/webtunnelv2/t" }]) {
      const server = await start(handler({ openSession: async () => bad }));
      const e = await rejection(openSessionThroughBroker("vm-01", 22, client));
      assert.equal(e.code, "InvalidSetting");
      assert.equal(exitCodeForError(e), ExitCode.usage);
      assert.doesNotMatch(e.message, /bug|t\?X-Node-Id/);
      await server.close();
      servers.splice(servers.indexOf(server), 1);
    }
  });

  test("the runtime folder must be ours and private", async () => {
    await fsp.mkdir(dir, { mode: 0o755 });
    await fsp.chmod(dir, 0o755);
    const e = await rejection(openSessionThroughBroker("vm-01", 22, client));
    assert.equal(e.code, "PrivateFolderUnsafe");
    assert.match(e.message, /accessible to other users \(mode 755\)/);
    await start(handler());
    assert.equal((await fsp.stat(dir)).mode & 0o777, 0o700, "the broker tightens a loose folder it owns");

    const elsewhere = path.join(tmp, "elsewhere");
    await fsp.mkdir(elsewhere, { mode: 0o700 });
    const link = path.join(tmp, "link");
    await fsp.symlink(elsewhere, link);
    const linked = await rejection(openSessionThroughBroker("vm-01", 22, { runtimeDirs: [link] }));
    assert.equal(linked.code, "PrivateFolderUnsafe");
    await assert.rejects(startBrokerServer({ runtimeDir: link, handler: handler() }), /not a folder/);
  });
});

describe("local broker with the real Bastion data plane", { timeout: 5 * 60_000 }, () => {
  let world: TunnelWorld;
  before(async () => {
    world = await startTunnelWorld({ broker: false });
  });
  after(async () => {
    await world.close();
  });

  test("1000 pipelined requests on one connection mint one session, deleted when the requester goes away", async () => {
    let minted = 0;
    const server = await startBrokerServer({
      runtimeDir: world.runtimeDir,
      handler: handler({
        openSession: async (host, port) => {
          minted++;
          return requestSession({ endpoint: world.dataPlane.origin, resourceId: vmId(host), port, armToken: ARM_TOKEN });
        },
      }),
    });
    try {
      const burst = Array.from({ length: 1000 }, (_, i) => `{"v":1,"id":${i + 1},"op":"openSession","host":"vm-01","port":22}\n`).join("");
      const answer = await rawExchange(server.path, burst, 1000);
      assert.equal(answer.lines.filter((l) => l.includes('"ok":true')).length, 1, "one request at a time per connection");
      assert.equal(answer.lines.filter((l) => l.includes('"code":"Busy"')).length, 999);
      assert.equal(minted, 1);
      // rawExchange closed the connection: the session it asked for must not outlive it.
      await waitFor("the requester's session is deleted", () => world.dataPlane.openSessions() === 0);

      // A tunnel process that is killed while relaying: its broker connection closes, its session goes.
      const tunnel = spawn(process.execPath, ["--import", "tsx", "-e", HOLD_SESSION_SCRIPT, world.runtimeDir], { stdio: ["ignore", "pipe", "inherit"] });
      await new Promise<void>((resolve) => tunnel.stdout.once("data", () => resolve()));
      assert.equal(world.dataPlane.openSessions(), 1);
      tunnel.kill("SIGKILL");
      await waitFor("the killed tunnel's session is deleted", () => world.dataPlane.openSessions() === 0);
    } finally {
      await server.close();
    }
  });

  test("a session minted after its client left is deleted, not leaked", async () => {
    let minted = 0;
    const server = await startBrokerServer({
      runtimeDir: world.runtimeDir,
      requestTimeoutMs: 100,
      handler: handler({
        // A slow handler that ignores its signal: the session arrives after the deadline.
        openSession: async (host, port) => {
          await new Promise((r) => setTimeout(r, 300));
          const s = await requestSession({ endpoint: world.dataPlane.origin, resourceId: vmId(host), port, armToken: ARM_TOKEN });
          minted++;
          return s;
        },
      }),
    });
    try {
      const e = await rejection(openSessionThroughBroker("vm-01", 22, { runtimeDirs: [world.runtimeDir] }));
      assert.equal(e.code, "Timeout");
      await waitFor("the late session is minted", () => minted === 1);
      await waitFor("the late session is deleted", () => world.dataPlane.openSessions() === 0);
    } finally {
      await server.close();
    }
  });
});
