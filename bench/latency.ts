/**
 * Benchmark 3: interactive latency. Round trips of 1-byte echoes (a keystroke and its echo): one
 * byte written, the next written only once it came back. Over SSH (`ssh -T host cat`, so the VM
 * echoes) and raw (an echo service, no SSH), through the tunnel and direct. Rounds interleave the
 * paths; the overhead is the difference of medians within a round.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { startRawWorld } from "./lib/rawWorld";
import { startSshWorld, type Mode } from "./lib/sshWorld";
import { fmt, fmtIqr, summarize } from "./lib/stats";
import type { Benchmark, Headline } from "./lib/types";

const TARGET_MS = 0.5;

/** `count` 1-byte round trips over an open stream pair; returns each RTT in ms. */
async function echoes(input: Writable, output: Readable, count: number): Promise<number[]> {
  const rtts: number[] = [];
  const byte = Buffer.from([0x61]);
  let pending: ((n: number) => void) | undefined;
  let buffered = 0;
  const onData = (c: Buffer): void => {
    buffered += c.length;
    if (pending && buffered > 0) {
      const p = pending;
      pending = undefined;
      buffered -= 1;
      p(performance.now());
    }
  };
  output.on("data", onData);
  try {
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const back = new Promise<number>((resolve) => (pending = resolve));
      input.write(byte);
      rtts.push((await back) - started);
    }
  } finally {
    output.off("data", onData);
  }
  return rtts;
}

function openSshCat(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn("ssh", ["-T", ...args, "cat"], { env, stdio: ["pipe", "pipe", "pipe"] });
  child.stderr?.resume();
  return child;
}

async function closeChild(child: ChildProcess): Promise<void> {
  child.stdin?.end();
  if (child.exitCode === null && child.signalCode === null) await new Promise<void>((resolve) => child.once("exit", () => resolve()));
}

export const latency: Benchmark = {
  name: "latency",
  title: "3. Interactive latency",
  async run(ctx) {
    const count = ctx.quick ? 20 : 1000;
    const rounds = ctx.quick ? 1 : ctx.runs;
    const ssh: Record<string, number[][]> = { direct: [], stdio: [], port: [] };
    const raw: Record<string, number[][]> = { "plain TCP": [], "tunnel port": [], "tunnel stdio": [] };

    const world = await startSshWorld();
    const port = await world.startPortTunnel();
    try {
      for (let round = 0; round < rounds + 1; round++) {
        for (const mode of ["direct", "stdio", "port"] as Mode[]) {
          const child = openSshCat(world.sshArgs(mode, { localPort: port.port }), world.product.childEnv);
          // The first echo waits for the whole connection: not a keystroke.
          await echoes(child.stdin!, child.stdout!, 5);
          const rtts = await echoes(child.stdin!, child.stdout!, count);
          await closeChild(child);
          if (round > 0) ssh[mode]!.push(rtts); // round 0 is a warm-up
        }
      }
    } finally {
      await port.stop();
      await world.close();
    }

    const rw = await startRawWorld();
    const rawPort = await rw.startPortTunnel();
    try {
      for (let round = 0; round < rounds + 1; round++) {
        for (const mode of Object.keys(raw)) {
          let input: Writable;
          let output: Readable;
          let close: () => Promise<void>;
          if (mode === "tunnel stdio") {
            const child = rw.spawnStdio();
            child.stderr?.resume();
            input = child.stdin!;
            output = child.stdout!;
            close = () => closeChild(child);
          } else {
            const socket = mode === "plain TCP" ? await rw.connectDirect() : await rw.connectPort(rawPort.port);
            input = socket;
            output = socket;
            close = async () => void socket.destroy();
          }
          input.write("echo\n");
          await echoes(input, output, 5);
          const rtts = await echoes(input, output, count);
          await close();
          if (round > 0) raw[mode]!.push(rtts);
        }
      }
    } finally {
      await rawPort.stop();
      await rw.close();
    }

    const medians = (runs: number[][]): number[] => runs.map((r) => summarize(r).median);
    const overhead = (a: number[][], b: number[][]): number[] => medians(a).map((m, i) => m - (medians(b)[i] ?? Number.NaN));
    const all = (runs: number[][]): number[] => runs.flat();
    const lines: string[] = [
      `${count} one-byte round trips per path per round, ${rounds} round(s) after a warm-up round; times in ms. "p50/p99" pool every echo of every round; "overhead" is the median over rounds of (tunnel median − direct median) within the round.`,
      "",
      "| Path | p50 | p90 | p99 | overhead vs baseline, median [IQR over rounds] | Target |",
      "|---|---|---|---|---|---|",
    ];
    const headlines: Headline[] = [];
    const addRows = (label: string, data: Record<string, number[][]>, baseline: string): void => {
      for (const [mode, runs] of Object.entries(data)) {
        const flat = all(runs).sort((a, b) => a - b);
        const q = (p: number): string => fmt(flat[Math.min(flat.length - 1, Math.floor(p * flat.length))] ?? Number.NaN, 3);
        if (mode === baseline) {
          lines.push(`| ${label} ${mode} | ${q(0.5)} | ${q(0.9)} | ${q(0.99)} | (baseline) | |`);
          continue;
        }
        const o = summarize(overhead(runs, data[baseline]!));
        lines.push(`| ${label} ${mode} | ${q(0.5)} | ${q(0.9)} | ${q(0.99)} | **${fmtIqr(o, 3)}** | < ${TARGET_MS} ${o.median < TARGET_MS ? "(met)" : "(missed)"} |`);
        headlines.push({ figure: `${label} echo RTT overhead, ${mode}`, value: `+${fmt(o.median, 3)} ms`, target: `< ${TARGET_MS} ms`, status: o.median < TARGET_MS ? "met" : "missed" });
      }
    };
    addRows("SSH", ssh, "direct");
    addRows("raw", raw, "plain TCP");
    const compact = (d: Record<string, number[][]>): Record<string, { median: number; p90: number; p99: number }[]> =>
      Object.fromEntries(Object.entries(d).map(([k, runs]) => [k, runs.map((r) => { const x = [...r].sort((a, b) => a - b); return { median: summarize(x).median, p90: x[Math.floor(0.9 * x.length)] ?? 0, p99: x[Math.floor(0.99 * x.length)] ?? 0 }; })]));
    return { markdown: lines.join("\n"), headlines, data: { count, rounds, ssh: compact(ssh), raw: compact(raw) } };
  },
};
