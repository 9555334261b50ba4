/**
 * Benchmark 1: throughput. SSH transfers through the tunnel (stdio ProxyCommand and port mode)
 * against direct SSH to the same sshd, in both directions; then the raw relay (no SSH) against a
 * plain TCP copy to the same service, to show where the time goes. Rounds interleave the modes (in
 * a rotating order), and every ratio is taken within a round, so that a slow period of this shared
 * machine weighs on both sides of a ratio. CPU time per process shows where the two cores went.
 */
import type { CpuReport } from "./lib/proc";
import { startRawWorld } from "./lib/rawWorld";
import { startSshWorld, type Mode } from "./lib/sshWorld";
import { fmt, fmtIqr, MB, pairedRatios, summarize } from "./lib/stats";
import { type Direction, type RawEnds, rawTransfer, sshTransfer } from "./lib/transfer";
import { CpuMeter, ownCpuMs } from "./lib/proc";
import type { Benchmark, Headline } from "./lib/types";

const SSH_TARGET = 0.8;
const RAW_TARGET = 0.5;
const DIRECTIONS: readonly Direction[] = ["download", "upload"];

interface Sample {
  round: number;
  mode: string;
  direction: Direction;
  mbps: number;
  transferMs: number;
  wallMs: number;
  cpu: CpuReport;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** CPU seconds per GiB moved, per role (median over rounds). */
function cpuPerGiB(samples: Sample[], bytes: number): Record<string, number> {
  const roles = new Set(samples.flatMap((s) => Object.keys(s.cpu.byRoleMs)));
  const out: Record<string, number> = {};
  for (const role of [...roles, "other"]) {
    const values = samples.map((s) => (role === "other" ? s.cpu.otherMs : (s.cpu.byRoleMs[role] ?? 0)) / 1000 / (bytes / (1024 * MB)));
    out[role] = summarize(values).median;
  }
  out["idle (both cores)"] = summarize(samples.map((s) => s.cpu.machineIdleMs / 1000 / (bytes / (1024 * MB)))).median;
  return out;
}

function section(title: string, samples: Sample[], baseline: string, modes: string[], bytes: number, target: number): { markdown: string; ratios: Record<string, number[]> } {
  const lines: string[] = [];
  const ratios: Record<string, number[]> = {};
  lines.push(`| Direction | Path | MB/s, median [IQR] | × ${baseline}, median of per-round ratios [IQR] | Target |`, "|---|---|---|---|---|");
  for (const direction of DIRECTIONS) {
    const base = samples.filter((s) => s.direction === direction && s.mode === baseline).sort((a, b) => a.round - b.round);
    lines.push(`| ${direction} | ${baseline} | ${fmtIqr(summarize(base.map((s) => s.mbps)), 0)} | 1 | |`);
    for (const mode of modes) {
      const mine = samples.filter((s) => s.direction === direction && s.mode === mode).sort((a, b) => a.round - b.round);
      const r = pairedRatios(mine.map((s) => s.mbps), base.map((s) => s.mbps));
      ratios[`${direction}/${mode}`] = r;
      const med = summarize(r).median;
      lines.push(`| ${direction} | ${mode} | ${fmtIqr(summarize(mine.map((s) => s.mbps)), 0)} | **${fmtIqr(summarize(r), 2)}** | ≥ ${target} ${med >= target ? "(met)" : `(missed by ${fmt(target - med, 2)})`} |`);
    }
  }
  lines.push("");
  lines.push(`CPU seconds per GiB moved, by process (median over rounds; ${title}):`, "");
  const allRoles = new Set<string>();
  const table: [string, Record<string, number>][] = [];
  for (const direction of DIRECTIONS) {
    for (const mode of [baseline, ...modes]) {
      const per = cpuPerGiB(samples.filter((s) => s.direction === direction && s.mode === mode), bytes);
      for (const k of Object.keys(per)) allRoles.add(k);
      table.push([`${direction} / ${mode}`, per]);
    }
  }
  const roles = [...allRoles].sort((a, b) => (a.startsWith("idle") ? 1 : b.startsWith("idle") ? -1 : a === "other" ? 1 : b === "other" ? -1 : a.localeCompare(b)));
  lines.push(`| Run | ${roles.join(" | ")} |`, `|---|${roles.map(() => "---").join("|")}|`);
  for (const [label, per] of table) lines.push(`| ${label} | ${roles.map((r) => (per[r] === undefined || per[r] === 0 ? "–" : fmt(per[r]!, 2))).join(" | ")} |`);
  return { markdown: lines.join("\n"), ratios };
}

export const throughput: Benchmark = {
  name: "throughput",
  title: "1. Throughput",
  async run(ctx) {
    const sshBytes = ctx.quick ? 8 * MB : 512 * MB;
    const rawBytes = ctx.quick ? 8 * MB : 512 * MB;
    const rounds = ctx.quick ? 1 : ctx.runs;
    const sshSamples: Sample[] = [];
    const rawSamples: Sample[] = [];

    // ---- SSH ----------------------------------------------------------------------------------
    const world = await startSshWorld();
    const portTunnel = await world.startPortTunnel();
    try {
      // One unmeasured round: JIT warm-up of the simulator, the forwarder and the page cache.
      for (const mode of ["direct", "stdio", "port"] as Mode[]) {
        await sshTransfer(world, mode, "download", Math.min(sshBytes, 64 * MB), { localPort: portTunnel.port, tunnelPid: portTunnel.pid });
      }
      for (let round = 0; round < rounds; round++) {
        for (const direction of DIRECTIONS) {
          for (const mode of rotate(["direct", "stdio", "port"] as Mode[], round)) {
            const r = await sshTransfer(world, mode, direction, sshBytes, { localPort: portTunnel.port, tunnelPid: portTunnel.pid });
            sshSamples.push({ round, mode, direction, mbps: r.mbps, transferMs: r.transferMs, wallMs: r.wallMs, cpu: r.cpu });
            ctx.log(`  ssh ${direction} ${mode}: ${r.mbps.toFixed(0)} MB/s`);
          }
        }
      }
    } finally {
      await portTunnel.stop();
      await world.close();
    }

    // ---- raw relay ------------------------------------------------------------------------------
    const raw = await startRawWorld();
    const rawPort = await raw.startPortTunnel();
    try {
      const once = async (mode: string, direction: Direction, bytes: number): Promise<Sample | undefined> => {
        const meter = new CpuMeter();
        meter.watchFn("driver", ownCpuMs);
        meter.watch("data plane (simulator)", raw.dataPlane.pid);
        meter.watch("raw service", raw.targetPid);
        let ends: RawEnds;
        if (mode === "tunnel stdio") {
          const child = raw.spawnStdio();
          meter.watchLate("tunnel", child.pid ?? 0, true);
          child.stderr?.resume();
          ends = { input: child.stdin!, output: child.stdout!, close: () => child.stdin?.end() };
        } else {
          if (mode === "tunnel port") meter.watch("tunnel", rawPort.pid);
          const socket = mode === "plain TCP" ? await raw.connectDirect() : await raw.connectPort(rawPort.port);
          ends = { input: socket, output: socket, close: () => socket.destroy() };
        }
        meter.start();
        const r = await rawTransfer(ends, direction, bytes);
        const cpu = meter.stop();
        return { round: -1, mode, direction, mbps: bytes / MB / (r.transferMs / 1000), transferMs: r.transferMs, wallMs: cpu.wallMs, cpu };
      };
      for (const mode of ["plain TCP", "tunnel stdio", "tunnel port"]) await once(mode, "download", Math.min(rawBytes, 64 * MB));
      for (let round = 0; round < rounds; round++) {
        for (const direction of DIRECTIONS) {
          for (const mode of rotate(["plain TCP", "tunnel stdio", "tunnel port"], round)) {
            const s = await once(mode, direction, rawBytes);
            if (s) rawSamples.push({ ...s, round });
            ctx.log(`  raw ${direction} ${mode}: ${s?.mbps.toFixed(0)} MB/s`);
          }
        }
      }
    } finally {
      await rawPort.stop();
      await raw.close();
    }

    const sshPart = section("SSH", sshSamples, "direct", ["stdio", "port"], sshBytes, SSH_TARGET);
    const rawPart = section("raw relay", rawSamples, "plain TCP", ["tunnel stdio", "tunnel port"], rawBytes, RAW_TARGET);
    const headlines: Headline[] = [];
    for (const [key, r] of Object.entries(sshPart.ratios)) {
      const med = summarize(r).median;
      headlines.push({ figure: `SSH ${key.replace("/", ", ")} vs direct`, value: `${fmt(med, 2)}×`, target: `≥ ${SSH_TARGET}×`, status: med >= SSH_TARGET ? "met" : "missed" });
    }
    for (const [key, r] of Object.entries(rawPart.ratios)) {
      const med = summarize(r).median;
      headlines.push({ figure: `raw relay ${key.replace("/", ", ")} vs plain TCP`, value: `${fmt(med, 2)}×`, target: `≥ ${RAW_TARGET}×`, status: med >= RAW_TARGET ? "met" : "missed" });
    }
    const markdown = [
      `SSH: ${sshBytes / MB} MiB per transfer, ${rounds} round(s) after one warm-up round; download = \`ssh host 'head -c N /dev/zero'\` into /dev/null, upload = local \`head -c N /dev/zero\` into \`ssh host 'cat > /dev/null'\`. Rate = bytes / (first byte → last byte), timed by markers on the remote stderr (connection setup is benchmark 2). Same key, options and sshd for every path; cipher chacha20-poly1305 (OpenSSH default).`,
      "",
      sshPart.markdown,
      "",
      `Raw relay: ${rawBytes / MB} MiB of a pseudo-random pattern per transfer, checked on arrival (memcmp against the pattern), between the driver and a raw TCP service in its own process; \`tunnel stdio\` = the driver writes to / reads from \`tunnel.js stdio\`'s pipes, \`tunnel port\` = through \`tunnel.js port\`'s 127.0.0.1 listener; both go through the simulator's Bastion data plane (TLS + WebSocket) in its own process.`,
      "",
      rawPart.markdown,
    ].join("\n");
    return { markdown, headlines, data: { sshBytes, rawBytes, rounds, ssh: sshSamples, raw: rawSamples } };
  },
};
