/**
 * Benchmark 2: connection setup. Time to the SSH banner (the first byte sshd sends) and to a
 * finished `ssh host true`, through the tunnel and direct. Every tunnelled connection mints its own
 * Bastion session: broker round trip, `POST /api/tokens`, TLS, WebSocket upgrade, then the
 * simulated Bastion connects to sshd. The tunnels run with --verbose so that each connection
 * reports its own split (session, WebSocket) on stderr.
 */
import { spawn } from "node:child_process";
import * as net from "node:net";
import { startSshWorld, type SshWorld } from "./lib/sshWorld";
import { fmt, fmtIqr, pairedDiffs, summarize } from "./lib/stats";
import type { Benchmark, Headline } from "./lib/types";

const TARGET_MS = 5;

/** Connects to 127.0.0.1:port and resolves with ms until the first byte ("SSH-2.0-..."). */
function timeToBanner(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
    socket.once("data", (c: Buffer) => {
      const ms = performance.now() - started;
      socket.destroy();
      if (!c.toString("latin1").startsWith("SSH-")) reject(new Error(`not an SSH banner: ${JSON.stringify(c.toString("latin1").slice(0, 40))}`));
      else resolve(ms);
    });
    socket.once("error", reject);
  });
}

interface StdioBanner {
  totalMs: number;
  /** The tunnel's own timestamps (logger start = right after node loaded the bundle). */
  sessionMs?: number;
  webSocketMs?: number;
}

/** Spawns `tunnel.js stdio <alias> --verbose`: ms until the banner comes out of its stdout. */
function stdioBanner(world: SshWorld): Promise<StdioBanner> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [world.tunnelJs, "stdio", world.alias, "--verbose", "--wait-broker", "0"], { env: world.product.childEnv, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    let totalMs = 0;
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdout.once("data", (c: Buffer) => {
      totalMs = performance.now() - started;
      if (!c.toString("latin1").startsWith("SSH-")) reject(new Error("not an SSH banner"));
      child.stdin.end();
    });
    child.once("close", () => {
      if (totalMs === 0) return reject(new Error(`tunnel.js stdio gave no banner: ${stderr.trim()}`));
      const split = parseSplit(stderr);
      resolve({ totalMs, ...split });
    });
  });
}

function parseSplit(stderr: string): { sessionMs?: number; webSocketMs?: number } {
  const m = /session in ([\d.]+) ms, WebSocket open in ([\d.]+) ms/.exec(stderr);
  return m ? { sessionMs: Number(m[1]), webSocketMs: Number(m[2]) } : {};
}

/** Wall time of `ssh host true`. */
function sshTrue(world: SshWorld, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("ssh", [...args, "true"], { env: world.product.childEnv, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("exit", (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`ssh true exited ${code}: ${stderr.trim()}`))));
  });
}

/** `node tunnel.js --help`: node start-up plus loading the bundle, nothing else. */
function nodeStartup(world: SshWorld): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [world.tunnelJs, "--help"], { stdio: "ignore" });
    child.once("exit", () => resolve(performance.now() - started));
  });
}

export const setup: Benchmark = {
  name: "setup",
  title: "2. Connection setup",
  async run(ctx) {
    const samples = ctx.quick ? 2 : Math.max(10, ctx.runs * 6);
    const world = await startSshWorld();
    const port = await world.startPortTunnel(["--verbose"]);
    let portStderr = "";
    port.child.stderr?.on("data", (c: Buffer) => (portStderr += c.toString()));
    const data = {
      bannerDirect: [] as number[],
      bannerPort: [] as number[],
      bannerStdio: [] as number[],
      portSessionMs: [] as number[],
      portWebSocketMs: [] as number[],
      stdioSessionMs: [] as number[],
      stdioWebSocketMs: [] as number[],
      nodeStartupMs: [] as number[],
      trueDirect: [] as number[],
      truePort: [] as number[],
      trueStdio: [] as number[],
    };
    try {
      // Warm-up: JIT of the simulator and the forwarder, TLS session cache, page cache.
      for (let i = 0; i < 3; i++) {
        await timeToBanner(world.vm.sshPort!);
        await timeToBanner(port.port);
        await stdioBanner(world);
        await sshTrue(world, world.sshArgs("direct"));
        await sshTrue(world, world.sshArgs("port", { localPort: port.port }));
      }
      portStderr = "";
      for (let i = 0; i < samples; i++) {
        // Interleaved, so that each pair (direct, tunnel) shares the machine's mood.
        data.bannerDirect.push(await timeToBanner(world.vm.sshPort!));
        const before = portStderr.length;
        data.bannerPort.push(await timeToBanner(port.port));
        // The forwarder logs the split once the connection is set up (before or just after the banner).
        for (let w = 0; w < 50 && !parseSplit(portStderr.slice(before)).sessionMs; w++) await new Promise((r) => setTimeout(r, 2));
        const split = parseSplit(portStderr.slice(before));
        if (split.sessionMs !== undefined) data.portSessionMs.push(split.sessionMs);
        if (split.webSocketMs !== undefined) data.portWebSocketMs.push(split.webSocketMs);
        const stdio = await stdioBanner(world);
        data.bannerStdio.push(stdio.totalMs);
        if (stdio.sessionMs !== undefined) data.stdioSessionMs.push(stdio.sessionMs);
        if (stdio.webSocketMs !== undefined) data.stdioWebSocketMs.push(stdio.webSocketMs);
        data.nodeStartupMs.push(await nodeStartup(world));
      }
      const trueRounds = ctx.quick ? 1 : Math.max(5, ctx.runs * 2);
      for (let i = 0; i < trueRounds; i++) {
        data.trueDirect.push(await sshTrue(world, world.sshArgs("direct")));
        data.trueStdio.push(await sshTrue(world, world.sshArgs("stdio")));
        data.truePort.push(await sshTrue(world, world.sshArgs("port", { localPort: port.port })));
      }
    } finally {
      await port.stop();
      await world.close();
    }
    const s = (v: number[]): ReturnType<typeof summarize> => summarize(v);
    const portOverhead = s(pairedDiffs(data.bannerPort, data.bannerDirect));
    const stdioOverhead = s(pairedDiffs(data.bannerStdio, data.bannerDirect));
    const portSetup = s(data.portSessionMs.map((x, i) => x + (data.portWebSocketMs[i] ?? 0)));
    const headlines: Headline[] = [
      { figure: "banner, port mode: tunnel overhead vs direct", value: `${fmt(portOverhead.median, 1)} ms`, target: `< ${TARGET_MS} ms`, status: portOverhead.median < TARGET_MS ? "met" : "missed" },
      { figure: "banner, stdio mode: overhead vs direct (incl. node start-up)", value: `${fmt(stdioOverhead.median, 1)} ms`, target: "info", status: "info" },
      { figure: "`ssh host true`: stdio / port / direct", value: `${fmt(s(data.trueStdio).median, 0)} / ${fmt(s(data.truePort).median, 0)} / ${fmt(s(data.trueDirect).median, 0)} ms`, target: "–", status: "info" },
    ];
    const row = (label: string, v: number[], note = ""): string => `| ${label} | ${fmtIqr(s(v), 1)} | ${fmt(s(v).min, 1)} | ${fmt(s(v).max, 1)} | ${note} |`;
    const markdown = [
      `${samples} interleaved samples per path (after 3 warm-up rounds); \`ssh host true\`: ${data.trueDirect.length} each. All times in ms, medians [IQR].`,
      "",
      "| Measurement | median [IQR] | min | max | what it contains |",
      "|---|---|---|---|---|",
      row("banner, direct (TCP connect to sshd)", data.bannerDirect, "TCP connect + sshd fork/exec"),
      row("banner, port mode", data.bannerPort, "+ broker round trip, `POST /api/tokens`, TLS, WebSocket upgrade, Bastion → sshd"),
      row("&nbsp;&nbsp;overhead vs direct (paired)", pairedDiffs(data.bannerPort, data.bannerDirect), `**target < ${TARGET_MS} ms**`),
      row("&nbsp;&nbsp;session (broker + token request), as the tunnel logs it", data.portSessionMs),
      row("&nbsp;&nbsp;WebSocket open (TLS + upgrade), as the tunnel logs it", data.portWebSocketMs),
      row("&nbsp;&nbsp;session + WebSocket", portSetup.n > 0 ? data.portSessionMs.map((x, i) => x + (data.portWebSocketMs[i] ?? 0)) : []),
      row("banner, stdio mode (spawn `node tunnel.js stdio`)", data.bannerStdio, "+ a new node process per connection"),
      row("&nbsp;&nbsp;overhead vs direct (paired)", pairedDiffs(data.bannerStdio, data.bannerDirect)),
      row("&nbsp;&nbsp;`node tunnel.js --help` (node start-up + bundle load only)", data.nodeStartupMs),
      row("&nbsp;&nbsp;session, as the tunnel logs it", data.stdioSessionMs, "cold process: new broker connection, new TLS connection"),
      row("&nbsp;&nbsp;WebSocket open, as the tunnel logs it", data.stdioWebSocketMs),
      row("`ssh host true`, direct", data.trueDirect, "key exchange, auth, session, exit"),
      row("`ssh host true`, port mode", data.truePort),
      row("`ssh host true`, stdio mode (the product's ProxyCommand)", data.trueStdio),
    ].join("\n");
    return { markdown, headlines, data };
  },
};
