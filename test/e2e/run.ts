/**
 * The real-VS-Code test runner: build and package the extension, install code-server if needed,
 * run the extension-host tests, then the Playwright e2e specs, print a summary with timings, and
 * exit non-zero on any failure. code-server and Chromium are stopped on every path.
 *
 *   npx tsx test/e2e/run.ts [--only vscode|e2e] [--grep <regexp>] [--spec <file>]... [--skip-build] [--self-check]
 *
 * Environment: AZURE_JIT_E2E_HEADED=1 (visible Chromium, needs a display), AZURE_JIT_E2E_KEEP=1
 * (keep the per-session folders under $TMPDIR), AZURE_JIT_E2E_KEEP_LOGS=1 (collect logs of passing
 * sessions too).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { buildAndPackageExtension, bundleExtensionHostTests, ensureCodeServer } from "./harness/build";
import { disposeAll, disposeOnSignals, track } from "./harness/cleanup";
import { runExtensionHostTests } from "./harness/extensionHostTests";
import { acquireLock } from "./harness/lock";
import { sweepOrphans } from "./harness/orphans";
import { cacheDir, repoRoot, vscodeTestsIndex, vsixPath } from "./harness/paths";
import { findProcesses, ownTags, terminate } from "./harness/processes";
import { selfCheck } from "./harness/selfCheck";
import { allSessionTimings } from "./harness/session";
import { findSpecs, runSpecs } from "./harness/specRunner";

interface StepResult {
  name: string;
  ok: boolean;
  ms: number;
  note: string;
}

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    grep: { type: "string" },
    spec: { type: "string", multiple: true },
    "skip-build": { type: "boolean", default: false },
    "self-check": { type: "boolean", default: false },
  },
});
if (values.only !== undefined && values.only !== "vscode" && values.only !== "e2e") throw new Error(`--only must be "vscode" or "e2e", not ${values.only}`);

const steps: StepResult[] = [];
/** Each e2e test with its duration, for the summary. */
let specTests: { title: string; ok: boolean; durationMs: number }[] = [];
let specSuites: { title: string; durationMs: number }[] = [];

/** Runs one step, timing it; a failing step is recorded, and later steps still run unless `required`. */
async function step(name: string, body: () => Promise<string | { ok: boolean; note: string }>, required = false): Promise<boolean> {
  process.stdout.write(`\n=== ${name} ===\n`);
  const start = performance.now();
  let result: StepResult;
  try {
    const outcome = await body();
    result = typeof outcome === "string" ? { name, ok: true, ms: 0, note: outcome } : { name, ms: 0, ...outcome };
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    result = { name, ok: false, ms: 0, note: "error (see above)" };
  }
  result.ms = Math.round(performance.now() - start);
  steps.push(result);
  if (!result.ok && required) throw new StopRun();
  return result.ok;
}

class StopRun extends Error {}

const seconds = (ms: number | undefined): string => (ms === undefined ? "-" : `${(ms / 1000).toFixed(2)} s`);

function printSummary(): void {
  process.stdout.write("\n=== summary ===\n");
  for (const s of steps) process.stdout.write(`  ${s.ok ? "ok  " : "FAIL"}  ${s.name.padEnd(30)} ${seconds(s.ms).padStart(9)}  ${s.note}\n`);
  if (specSuites.length > 0) {
    process.stdout.write("\n  e2e specs (wall time, session start and stop included):\n");
    for (const t of specSuites) process.stdout.write(`    ${seconds(t.durationMs).padStart(9)}  ${t.title}\n`);
  }
  if (specTests.length > 0) {
    process.stdout.write("\n  e2e tests:\n");
    for (const t of specTests) process.stdout.write(`    ${t.ok ? "ok  " : "FAIL"}  ${seconds(t.durationMs).padStart(8)}  ${t.title}\n`);
  }
  if (allSessionTimings.length > 0) {
    process.stdout.write("\n  sessions (install .vsix / code-server ready / Chromium / workbench ready):\n");
    for (const { name, timings: t } of allSessionTimings) {
      process.stdout.write(`    ${name.padEnd(30)} ${[t.installExtensionMs, t.codeServerStartMs, t.browserLaunchMs, t.workbenchReadyMs].map(seconds).join(" / ")}\n`);
    }
  }
}

async function main(): Promise<number> {
  disposeOnSignals();
  const release = acquireLock(path.join(cacheDir, "e2e-run.lock"));
  const untrackLock = track(async () => release());
  try {
    const swept = await sweepOrphans();
    if (swept) process.stdout.write(`${swept}\n`);
    await step("install code-server", async () => (await ensureCodeServer(), "code-server 4.100.3"), true);
    if (!values["skip-build"]) {
      await step("build + package .vsix", async () => `${path.relative(repoRoot, await buildAndPackageExtension())} (${Math.round(fs.statSync(vsixPath).size / 1024)} KB)`, true);
      await step("bundle extension-host tests", async () => path.relative(repoRoot, await bundleExtensionHostTests()), true);
    }
    if (values.only !== "e2e") {
      await step("extension-host tests", async () => {
        if (!fs.existsSync(vscodeTestsIndex)) throw new Error(`${vscodeTestsIndex} is missing: run without --skip-build`);
        const run = await runExtensionHostTests({ grep: values.grep });
        if (run.results) process.stdout.write(`${run.results.output}\n`);
        const r = run.results;
        const counts = r ? `${r.passes} passed, ${r.failures} failed, ${r.pending} pending; tests ran in ${seconds(run.timings.testRunMs)}` : "no results";
        if (run.logsDir) process.stdout.write(`logs: ${path.relative(repoRoot, run.logsDir)}\n`);
        return { ok: run.exitCode === 0, note: `${counts} (exit code ${run.exitCode})` };
      });
    }
    if (values.only !== "vscode") {
      await step("e2e specs", async () => {
        if (!fs.existsSync(vsixPath)) throw new Error(`${vsixPath} is missing: run without --skip-build`);
        const result = await runSpecs(findSpecs(values.spec ?? []), { grep: values.grep });
        specTests = result.tests;
        specSuites = result.suites;
        return { ok: result.failures === 0, note: `${result.passes} passed, ${result.failures} failed` };
      });
    }
    if (values["self-check"]) {
      await step("self-check (failures are caught)", async () => {
        const problems = await selfCheck();
        for (const p of problems) process.stderr.write(`self-check: ${p}\n`);
        return { ok: problems.length === 0, note: problems.length === 0 ? "broken manifest and failing spec both reported, with screenshot and logs" : `${problems.length} problem(s)` };
      });
    }
  } catch (error) {
    if (!(error instanceof StopRun)) throw error;
  } finally {
    await disposeAll();
    // Anything still carrying one of this run's tags was leaked by a bug in the harness: end it, and fail.
    const leaked = findProcesses([], ownTags);
    if (leaked.length > 0) await terminate([], ownTags, 1000);
    if (leaked.length > 0) steps.push({ name: "process leak check", ok: false, ms: 0, note: `had to kill ${leaked.join(", ")}` });
    untrackLock();
    release();
    printSummary();
  }
  return steps.every((s) => s.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await disposeAll();
    process.exit(1);
  },
);
