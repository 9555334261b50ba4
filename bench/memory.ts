/**
 * Benchmark 4: memory under backpressure. 1 GiB flows through a tunnel process to a deliberately
 * slow reader (a fixed rate, well below what the tunnel can carry), in each direction and mode; the
 * tunnel's peak resident memory (VmHWM) is read at a quarter of the transfer and at its end: a
 * tunnel that buffers what the reader cannot take would grow with the transfer. The raw relay (no
 * SSH) is the hard case: SSH's own channel window (2 MiB) would hide a missing backpressure, so the
 * SSH case is shown too but proves less.
 */
import { spawn } from "node:child_process";
import { memoryOf } from "./lib/proc";
import { startRawWorld } from "./lib/rawWorld";
import { proxyCommandPid, startSshWorld } from "./lib/sshWorld";
import { fmt, MB, summarize } from "./lib/stats";
import { findLate, rawTransfer, type RawEnds } from "./lib/transfer";
import type { Benchmark, Headline } from "./lib/types";

const TARGET_BYTES = 64 * MB;

interface MemorySample {
  config: string;
  /** RSS of the idle tunnel before the transfer (port mode), or 0. */
  idleRss: number;
  peakAtQuarter: number;
  peakAtEnd: number;
  seconds: number;
}

/** Follows a process's peak RSS while `progress()` runs from 0 to `total`. */
function followPeak(pid: () => number | undefined, progress: () => number, total: number): { stop(): Promise<{ quarter: number; end: number }> } {
  let quarter = 0;
  let end = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const p = pid();
      const m = p ? await memoryOf(p) : undefined;
      if (m) {
        end = Math.max(end, m.peak);
        if (progress() <= total / 4) quarter = Math.max(quarter, m.peak);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    async stop() {
      const p = pid();
      const m = p ? await memoryOf(p) : undefined;
      if (m) end = Math.max(end, m.peak);
      running = false;
      await loop;
      return { quarter, end };
    },
  };
}

/** A reader that takes at most `mbps` MB/s: pauses whenever it is ahead of that schedule. */
function rateLimiter(mbps: number): (chunk: Buffer) => Promise<void> | undefined {
  const bytesPerMs = (mbps * MB) / 1000;
  let started = 0;
  let taken = 0;
  return (chunk) => {
    if (started === 0) started = performance.now();
    taken += chunk.length;
    const ahead = taken / bytesPerMs - (performance.now() - started);
    return ahead > 1 ? new Promise((r) => setTimeout(r, ahead)) : undefined;
  };
}

export const memory: Benchmark = {
  name: "memory",
  title: "4. Memory under backpressure",
  async run(ctx) {
    const total = ctx.quick ? 16 * MB : 1024 * MB;
    const rate = ctx.quick ? 64 : 100;
    const rounds = ctx.quick ? 1 : Math.max(2, Math.floor(ctx.runs / 2));
    const samples: MemorySample[] = [];

    const raw = await startRawWorld();
    try {
      for (let round = 0; round < rounds; round++) {
        for (const mode of ["stdio", "port"] as const) {
          for (const direction of ["download", "upload"] as const) {
            const config = `raw, ${mode} mode, ${direction === "download" ? "slow reader on the client side" : "slow reader on the VM side"}`;
            let progress = 0;
            let ends: RawEnds;
            let tunnelPid: number | undefined;
            let idleRss = 0;
            let stopTunnel: () => Promise<void> = async () => undefined;
            if (mode === "stdio") {
              const child = raw.spawnStdio();
              child.stderr?.resume();
              tunnelPid = child.pid;
              ends = { input: child.stdin!, output: child.stdout!, close: () => child.stdin?.end() };
              stopTunnel = async () => {
                if (child.exitCode === null) await new Promise<void>((r) => child.once("exit", () => r()));
              };
            } else {
              // A fresh forwarder per measurement: its VmHWM then belongs to this transfer alone.
              const forwarder = await raw.startPortTunnel();
              tunnelPid = forwarder.pid;
              idleRss = (await memoryOf(forwarder.pid))?.rss ?? 0;
              const socket = await raw.connectPort(forwarder.port);
              ends = { input: socket, output: socket, close: () => socket.destroy() };
              stopTunnel = () => forwarder.stop();
            }
            const follow = followPeak(() => tunnelPid, () => progress, total);
            const started = performance.now();
            await rawTransfer(ends, direction, total, {
              onProgress: (n) => (progress = n),
              ...(direction === "download" ? { readChunk: rateLimiter(rate) } : { upRateMBps: rate }),
            });
            const peak = await follow.stop();
            await stopTunnel();
            samples.push({ config, idleRss, peakAtQuarter: peak.quarter, peakAtEnd: peak.end, seconds: (performance.now() - started) / 1000 });
            ctx.log(`  ${config}: peak ${fmt(peak.quarter / MB, 1)} MiB at 1/4, ${fmt(peak.end / MB, 1)} MiB at the end`);
          }
        }
      }
    } finally {
      await raw.close();
    }

    // The product path: ssh with the tunnel as ProxyCommand, the VM sending as fast as it can.
    const world = await startSshWorld();
    try {
      for (let round = 0; round < rounds; round++) {
        const config = "SSH, stdio mode (ProxyCommand), slow reader at ssh's stdout";
        const child = spawn("ssh", [...world.sshArgs("stdio"), `head -c ${total} /dev/zero`], { env: world.product.childEnv, stdio: ["ignore", "pipe", "pipe"] });
        child.stderr?.resume();
        let tunnelPid: number | undefined;
        void findLate(() => proxyCommandPid(child.pid ?? 0)).then((p) => (tunnelPid = p));
        let got = 0;
        const follow = followPeak(() => tunnelPid, () => got, total);
        const limit = rateLimiter(rate);
        const started = performance.now();
        await new Promise<void>((resolve, reject) => {
          child.stdout!.on("data", (c: Buffer) => {
            got += c.length;
            const wait = limit(c);
            if (wait) {
              child.stdout!.pause();
              void wait.then(() => child.stdout!.resume());
            }
          });
          child.once("exit", (code) => (code === 0 && got === total ? resolve() : reject(new Error(`ssh exited ${code} after ${got} of ${total} bytes`))));
        });
        const peak = await follow.stop();
        samples.push({ config, idleRss: 0, peakAtQuarter: peak.quarter, peakAtEnd: peak.end, seconds: (performance.now() - started) / 1000 });
        ctx.log(`  ${config}: peak ${fmt(peak.quarter / MB, 1)} MiB at 1/4, ${fmt(peak.end / MB, 1)} MiB at the end`);
      }
    } finally {
      await world.close();
    }

    const configs = [...new Set(samples.map((s) => s.config))];
    const lines = [
      `${total / MB} MiB per transfer, reader limited to ${rate} MB/s (the tunnel alone carries ~3× that), ${rounds} run(s) per case. Peak RSS = VmHWM of the tunnel process (a fresh process per transfer), read every 25 ms. MiB, median (min–max) over runs.`,
      "",
      "| Case | idle RSS (port mode) | peak RSS at 1/4 of the transfer | peak RSS at the end | growth from 1/4 to end | Target |",
      "|---|---|---|---|---|---|",
    ];
    const headlines: Headline[] = [];
    let worst = 0;
    for (const config of configs) {
      const mine = samples.filter((s) => s.config === config);
      const q = summarize(mine.map((s) => s.peakAtQuarter / MB));
      const e = summarize(mine.map((s) => s.peakAtEnd / MB));
      const g = summarize(mine.map((s) => (s.peakAtEnd - s.peakAtQuarter) / MB));
      const idle = summarize(mine.map((s) => s.idleRss / MB).filter((x) => x > 0));
      worst = Math.max(worst, e.max);
      const ok = e.max * MB < TARGET_BYTES;
      lines.push(`| ${config} | ${idle.n > 0 ? fmt(idle.median, 1) : "–"} | ${fmt(q.median, 1)} (${fmt(q.min, 1)}–${fmt(q.max, 1)}) | ${fmt(e.median, 1)} (${fmt(e.min, 1)}–${fmt(e.max, 1)}) | ${fmt(g.median, 1)} | < 64 MiB, flat ${ok ? "(met)" : "(**missed**)"} |`);
    }
    headlines.push({ figure: "tunnel peak RSS, 1 GiB to a slow reader (worst case)", value: `${fmt(worst, 1)} MiB`, target: "< 64 MiB, flat", status: worst * MB < TARGET_BYTES ? "met" : "missed" });
    return { markdown: lines.join("\n"), headlines, data: { total, rate, rounds, samples } };
  },
};
