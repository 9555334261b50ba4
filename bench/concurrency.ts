/**
 * Benchmark 5: concurrency. 50 simultaneous SSH connections, each moving 20 MiB, direct and through
 * the tunnel (one port forwarder for all 50, or 50 stdio ProxyCommand processes):
 *   - download: each connection gets its own stream (`conn-<i>` then a 20 MiB random file), hashed
 *     on arrival by `sha256sum` and compared with the expected hash, so that a byte lost, changed
 *     or delivered to the wrong connection fails the benchmark;
 *   - upload: the same file into `ssh host sha256sum`, compared on the VM side's answer.
 * Reported: all intact, aggregate throughput (all bytes / first start to last end), per-connection
 * times, and the tunnel's memory (the forwarder's peak RSS; for stdio, the peak of the sum of the
 * 50 processes' RSS).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, promises as fsp, openSync } from "node:fs";
import * as path from "node:path";
import { descendants, commandLine, memoryOf } from "./lib/proc";
import { startSshWorld, type Mode, type SshWorld } from "./lib/sshWorld";
import { fmt, MB, summarize } from "./lib/stats";
import type { Benchmark, Headline } from "./lib/types";

interface PhaseResult {
  mode: Mode;
  direction: "download" | "upload";
  connections: number;
  intact: number;
  wallMs: number;
  aggregateMBps: number;
  perConnectionMs: number[];
  /** Port mode: the forwarder's peak RSS; stdio: peak of the sum of all tunnel processes' RSS. */
  tunnelRssPeak: number;
  /** stdio: the largest single tunnel process. */
  tunnelRssMaxProcess: number;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

function readAll(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    let out = "";
    child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
    child.stdout?.on("end", () => resolve(out));
  });
}

async function phase(world: SshWorld, mode: Mode, direction: "download" | "upload", n: number, file: string, remoteFile: string, expected: string[], uploadHash: string, forwarder?: { pid: number; port: number }): Promise<PhaseResult> {
  let sumPeak = 0;
  let maxProcess = 0;
  let sampling = true;
  const tunnelPids = (): number[] => (mode === "port" && forwarder ? [forwarder.pid] : mode === "stdio" ? descendants(process.pid).filter((p) => commandLine(p).includes("tunnel.js stdio")) : []);
  const sampler = (async () => {
    while (sampling) {
      const pids = tunnelPids();
      const mems = await Promise.all(pids.map((p) => memoryOf(p)));
      const rss = mems.reduce((a, m) => a + (m ? (mode === "port" ? m.peak : m.rss) : 0), 0);
      sumPeak = Math.max(sumPeak, rss);
      for (const m of mems) if (m) maxProcess = Math.max(maxProcess, m.peak);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const started = performance.now();
  const jobs = Array.from({ length: n }, async (_, i) => {
    const t0 = performance.now();
    const args = world.sshArgs(mode, { localPort: forwarder?.port });
    if (direction === "download") {
      const ssh = spawn("ssh", [...args, `printf 'conn-%d\\n' ${i}; cat ${remoteFile}`], { env: world.product.childEnv, stdio: ["ignore", "pipe", "pipe"] });
      ssh.stderr?.resume();
      // The bytes go straight from ssh to sha256sum: the driver only reads the hash.
      const sum = spawn("sha256sum", [], { stdio: [ssh.stdout!, "pipe", "ignore"] });
      const [code, out] = await Promise.all([exitOf(ssh), readAll(sum)]);
      return { ok: code === 0 && out.split(/\s/)[0] === expected[i], ms: performance.now() - t0 };
    }
    const fd = openSync(file, "r");
    try {
      const ssh = spawn("ssh", [...args, "sha256sum"], { env: world.product.childEnv, stdio: [fd, "pipe", "pipe"] });
      ssh.stderr?.resume();
      const [code, out] = await Promise.all([exitOf(ssh), readAll(ssh)]);
      return { ok: code === 0 && out.split(/\s/)[0] === uploadHash, ms: performance.now() - t0 };
    } finally {
      closeSync(fd);
    }
  });
  const results = await Promise.all(jobs);
  const wallMs = performance.now() - started;
  sampling = false;
  await sampler;
  const bytes = n * ((await fsp.stat(file)).size + (direction === "download" ? 7 : 0));
  return {
    mode,
    direction,
    connections: n,
    intact: results.filter((r) => r.ok).length,
    wallMs,
    aggregateMBps: bytes / MB / (wallMs / 1000),
    perConnectionMs: results.map((r) => r.ms),
    tunnelRssPeak: sumPeak,
    tunnelRssMaxProcess: maxProcess,
  };
}

export const concurrency: Benchmark = {
  name: "concurrency",
  title: "5. Concurrency",
  async run(ctx) {
    const n = ctx.quick ? 4 : 50;
    const size = ctx.quick ? 1 * MB : 20 * MB;
    const rounds = ctx.quick ? 1 : Math.max(2, Math.floor(ctx.runs / 2));
    const world = await startSshWorld();
    const results: PhaseResult[] = [];
    try {
      const home = world.vm.homeDir!;
      const content = randomBytes(size);
      const remoteFile = path.join(home, "bench-20M.bin");
      await fsp.writeFile(remoteFile, content, { mode: 0o644 });
      const localFile = path.join(world.product.root, "bench-20M.bin");
      await fsp.writeFile(localFile, content);
      const expected = Array.from({ length: n }, (_, i) => createHash("sha256").update(`conn-${i}\n`).update(content).digest("hex"));
      const uploadHash = createHash("sha256").update(content).digest("hex");
      for (let round = 0; round < rounds; round++) {
        for (const mode of ["direct", "port", "stdio"] as Mode[]) {
          for (const direction of ["download", "upload"] as const) {
            // A fresh forwarder per phase, so that its peak RSS belongs to these 50 connections.
            const forwarder = mode === "port" ? await world.startPortTunnel() : undefined;
            try {
              const r = await phase(world, mode, direction, n, localFile, remoteFile, expected, uploadHash, forwarder);
              results.push(r);
              ctx.log(`  ${mode} ${direction}: ${r.intact}/${n} intact, ${fmt(r.aggregateMBps, 0)} MB/s aggregate, tunnel RSS ${fmt(r.tunnelRssPeak / MB, 0)} MiB`);
              if (r.intact !== n) throw new Error(`${mode} ${direction}: only ${r.intact} of ${n} connections arrived intact`);
            } finally {
              await forwarder?.stop();
            }
          }
        }
      }
    } finally {
      await world.close();
    }
    const lines = [
      `${n} simultaneous connections × ${size / MB} MiB, ${rounds} run(s); medians over runs (min–max). "per connection" = p50 / max of the connection times (setup included) pooled over runs.`,
      "",
      "| Direction | Path | intact | aggregate MB/s | × direct | per connection p50 / max (s) | tunnel RSS (MiB) |",
      "|---|---|---|---|---|---|---|",
    ];
    const headlines: Headline[] = [];
    for (const direction of ["download", "upload"] as const) {
      const direct = summarize(results.filter((r) => r.mode === "direct" && r.direction === direction).map((r) => r.aggregateMBps)).median;
      for (const mode of ["direct", "port", "stdio"] as Mode[]) {
        const mine = results.filter((r) => r.mode === mode && r.direction === direction);
        const agg = summarize(mine.map((r) => r.aggregateMBps));
        const per = mine.flatMap((r) => r.perConnectionMs).sort((a, b) => a - b);
        const rss = summarize(mine.map((r) => r.tunnelRssPeak / MB));
        const rssText = mode === "direct" ? "–" : mode === "port" ? `${fmt(rss.median, 0)} (one forwarder)` : `${fmt(rss.median, 0)} (sum of ${n} processes; largest ${fmt(summarize(mine.map((r) => r.tunnelRssMaxProcess / MB)).median, 0)})`;
        const intact = `${mine.reduce((a, r) => a + r.intact, 0)}/${mine.reduce((a, r) => a + r.connections, 0)}`;
        lines.push(`| ${direction} | ${mode} | ${intact} | ${fmt(agg.median, 0)} (${fmt(agg.min, 0)}–${fmt(agg.max, 0)}) | ${mode === "direct" ? "1" : fmt(agg.median / direct, 2)} | ${fmt((per[Math.floor(per.length / 2)] ?? 0) / 1000, 2)} / ${fmt((per[per.length - 1] ?? 0) / 1000, 2)} | ${rssText} |`);
        if (mode !== "direct") {
          headlines.push({ figure: `${n} × ${size / MB} MiB ${direction}, ${mode}: intact, aggregate, tunnel RSS`, value: `${intact}, ${fmt(agg.median, 0)} MB/s (${fmt(agg.median / direct, 2)}× direct), ${fmt(rss.median, 0)} MiB`, target: "all intact", status: "info" });
        }
      }
    }
    return { markdown: lines.join("\n"), headlines, data: { n, size, rounds, results } };
  },
};
