/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function, and the share of
 * (program), (garbage collector) and (idle). Enough to see where a relay spends its time.
 */
import { promises as fsp } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  /** [function @ file, self ms] sorted by time. */
  top: [string, number][];
}

export async function summarizeCpuProfile(file: string, topN = 25): Promise<ProfileSummary> {
  const profile = JSON.parse(await fsp.readFile(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) continue;
    const f = node.callFrame;
    const name = f.functionName || "(anonymous)";
    if (name === "(idle)") {
      idle += dt;
      continue;
    }
    total += dt;
    const file = f.url ? f.url.replace(/^.*\/(node_modules\/)?/, "$1").replace(/^node:/, "node:") : "";
    const key = file ? `${name} @ ${file}:${f.lineNumber + 1}` : name;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, topN);
  return { totalMs: total, idleMs: idle, top };
}

export function formatProfile(title: string, s: ProfileSummary): string {
  const lines = [`${title}: ${s.totalMs.toFixed(0)} ms busy, ${s.idleMs.toFixed(0)} ms idle`];
  for (const [name, ms] of s.top) lines.push(`  ${ms.toFixed(1).padStart(8)} ms  ${((100 * ms) / Math.max(1, s.totalMs)).toFixed(1).padStart(5)}%  ${name}`);
  return lines.join("\n");
}
