/** The generated part of BENCHMARKS.md: run facts, the summary table, one section per benchmark. */
import type { MachineFacts } from "./machine";
import type { BenchOutcome } from "./types";

export interface RunInfo {
  command: string;
  quick: boolean;
  runs: number;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: MachineFacts;
  loadAverage: { before: [number, number, number]; after: [number, number, number] };
  failures: string[];
}

export interface RecordedOutcome extends BenchOutcome {
  /** The run that produced this outcome (an `--only` run replaces some sections of a full run). */
  run: RunInfo;
}

function runLine(run: RunInfo): string {
  return `\`${run.command}\`, ${run.startedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC")}, ${run.durationSeconds} s, load average ${run.loadAverage.before.join("/")} → ${run.loadAverage.after.join("/")}`;
}

export function renderResults(main: RunInfo, outcomes: RecordedOutcome[]): string {
  const m = main.machine;
  const lines: string[] = [];
  lines.push("## Results", "");
  lines.push(`- **Run**: ${runLine(main)}${main.failures.length > 0 ? ` — **${main.failures.length} benchmark(s) failed**` : ""}`);
  lines.push(`- **Machine**: ${m.cpuModel}, ${m.cores} vCPU, ${m.memoryGiB} GiB RAM, ${m.virtualization}; ${m.os}, ${m.kernel}`);
  lines.push(`- **Software**: Node ${m.node} (OpenSSL ${m.openssl}), ${m.openssh}, esbuild ${m.esbuild}; tunnel = production bundle (\`node esbuild.mjs --production\`)`);
  const others = [...new Set(outcomes.filter((o) => o.run.startedAt !== main.startedAt).map((o) => o.run))];
  for (const r of others) lines.push(`- Sections ${outcomes.filter((o) => o.run === r).map((o) => o.title).join(", ")} come from a later partial run: ${runLine(r)}`);
  lines.push("");
  lines.push("| Benchmark | Figure | Result | Target | |", "|---|---|---|---|---|");
  for (const o of outcomes) {
    for (const h of o.headlines) {
      const mark = h.status === "met" ? "met" : h.status === "missed" ? "**missed**" : "";
      lines.push(`| ${o.title} | ${h.figure} | ${h.value} | ${h.target || "–"} | ${mark} |`);
    }
  }
  lines.push("");
  for (const o of outcomes) {
    lines.push(`### ${o.title}`, "", o.markdown.trim(), "", `<sub>Benchmark time ${(o.durationMs / 1000).toFixed(0)} s.</sub>`, "");
  }
  return lines.join("\n");
}
