/**
 * Benchmark 6: activation. The production bundles' sizes; the time to load the extension's main
 * bundle and run `activate()` in a fresh process (plain Node with a stand-in `vscode` module, no
 * Azure behind it), what that loads, and that it makes no network call; then the cost of the first
 * Azure call's lazy chunk (the Azure SDKs), loaded only then.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { productionBuild, REPO_ROOT } from "./lib/build";
import { fmt, fmtIqr, summarize } from "./lib/stats";
import type { Benchmark, Headline } from "./lib/types";

const run = promisify(execFile);
const TARGET_MS = 50;

interface ChildResult {
  nodeStartMs: number;
  requireMs: number;
  activateMs: number;
  activateError?: string;
  sdkRequireMs: number;
  modules: Record<string, string[]>;
  builtins: { activation: string[]; sdk: string[] };
  network: { phase: string; call: string }[];
}

export const activation: Benchmark = {
  name: "activation",
  title: "6. Activation",
  async run(ctx) {
    const build = await productionBuild();
    const samples = ctx.quick ? 2 : Math.max(15, ctx.runs * 4);
    const results: ChildResult[] = [];
    for (let i = 0; i < samples + 2; i++) {
      const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, "bench/support/activateChild.js"), build.dir], { env: { PATH: process.env.PATH, HOME: process.env.HOME } });
      const r = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as ChildResult;
      if (i >= 2) results.push(r); // two warm-ups: page cache
    }
    const last = results[results.length - 1]!;
    const total = summarize(results.map((r) => r.requireMs + r.activateMs));
    const calls = results.flatMap((r) => r.network.filter((n) => n.phase === "activation"));
    const kib = (n: number | undefined): string => (n === undefined ? "–" : `${fmt(n / 1024, 1)} KiB`);
    const headlines: Headline[] = [
      { figure: "main bundle size (dist/extension.js)", value: kib(build.sizes["extension.js"]), target: "–", status: "info" },
      { figure: "load + activate, no Azure call", value: `${fmt(total.median, 1)} ms`, target: `< ${TARGET_MS} ms`, status: total.median < TARGET_MS && calls.length === 0 ? "met" : "missed" },
      {
        figure: "heavy SDKs not loaded at activation",
        value: (last.modules.activation ?? []).some((m) => /azureSdk/.test(m)) ? "azureSdk.js loaded at activation" : `yes (azureSdk.js, ${kib(build.sizes["azureSdk.js"])}, loads on first use in ${fmt(summarize(results.map((r) => r.sdkRequireMs)).median, 0)} ms)`,
        target: "lazy",
        status: (last.modules.activation ?? []).some((m) => /azureSdk/.test(m)) ? "missed" : "met",
      },
    ];
    const s = (f: (r: ChildResult) => number): string => fmtIqr(summarize(results.map(f)), 1);
    const lines = [
      `${samples} fresh processes (after 2 warm-ups); ms, median [IQR]. Bundles built by \`node esbuild.mjs --production\` into a private folder.`,
      "",
      "| Bundle | Size | Loaded |",
      "|---|---|---|",
      ...Object.entries(build.sizes)
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([name, size]) => `| dist/${name} | ${kib(size)} | ${name === "extension.js" ? "at activation" : name === "tunnel.js" ? "never in the extension host: ssh runs it (ProxyCommand) in its own process" : "on the first Azure call (`loadAzureSdk()`)"} |`),
      "",
      "| Step | Time |",
      "|---|---|",
      `| node start-up (not ours: the extension host is already running) | ${s((r) => r.nodeStartMs)} |`,
      `| \`require("dist/extension.js")\` | ${s((r) => r.requireMs)} |`,
      `| \`activate(context)\` | ${s((r) => r.activateMs)} |`,
      `| **load + activate** | **${fmtIqr(total, 1)}** (target < ${TARGET_MS} ms) |`,
      `| first Azure call: \`require("dist/azureSdk.js")\` | ${s((r) => r.sdkRequireMs)} |`,
      "",
      `Network connections attempted during activation: **${calls.length}** over ${samples} activations${calls.length > 0 ? ` (${[...new Set(calls.map((c) => c.call))].join(", ")})` : ""}.${last.activateError ? ` activate() threw under the stand-in vscode module: \`${last.activateError}\` (timing kept up to the throw).` : ""}`,
      "",
      "What each phase loads (files of the bundle folder; Node built-ins first loaded in that phase):",
      "",
      `- activation: ${(last.modules.activation ?? []).map((m) => `\`${m}\``).join(", ") || "–"}; built-ins: ${last.builtins.activation.join(", ") || "none new"}`,
      `- first Azure call: ${(last.modules["first Azure call (lazy SDK chunk)"] ?? []).map((m) => `\`${m}\``).join(", ") || "–"}; built-ins: ${last.builtins.sdk.length} (${last.builtins.sdk.slice(0, 12).join(", ")}${last.builtins.sdk.length > 12 ? ", …" : ""})`,
    ];
    return { markdown: lines.join("\n"), headlines, data: { sizes: build.sizes, samples, results: results.map(({ modules: _m, builtins: _b, ...rest }) => rest), modules: last.modules, builtins: last.builtins } };
  },
};
