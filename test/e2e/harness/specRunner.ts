import Mocha from "mocha";
import * as fs from "node:fs";
import * as path from "node:path";
import { e2eSpecsDir } from "./paths";

export interface SpecRunResult {
  passes: number;
  failures: number;
  failedTitles: string[];
  /** Every test that ran, in order, with its duration (hooks such as starting a session not included). */
  tests: { title: string; ok: boolean; durationMs: number }[];
  /** Each top-level `describe` with its wall time, hooks included (session start and stop). */
  suites: { title: string; durationMs: number }[];
}

/** test/e2e/specs/*.e2e.ts, sorted, or the given files. */
export function findSpecs(only: readonly string[] = []): string[] {
  if (only.length > 0) return only.map((file) => path.resolve(file));
  return fs
    .readdirSync(e2eSpecsDir)
    .filter((f) => f.endsWith(".e2e.ts"))
    .sort()
    .map((f) => path.join(e2eSpecsDir, f));
}

/**
 * Runs e2e specs with mocha in this process (tsx lets mocha `require` the .ts files). Specs share the
 * harness module instances with the runner, so session timings and cleanup reach it.
 */
export async function runSpecs(files: readonly string[], options: { grep?: string; timeoutMs?: number } = {}): Promise<SpecRunResult> {
  const mocha = new Mocha({ ui: "bdd", reporter: "spec", timeout: options.timeoutMs ?? 60_000, slow: 10_000, ...(options.grep ? { grep: options.grep } : {}) });
  for (const file of files) mocha.addFile(file);
  const failedTitles: string[] = [];
  const tests: SpecRunResult["tests"] = [];
  const suites: SpecRunResult["suites"] = [];
  const suiteStarts = new Map<Mocha.Suite, number>();
  let passes = 0;
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on("suite", (suite) => suiteStarts.set(suite, performance.now()));
    runner.on("suite end", (suite) => {
      const start = suiteStarts.get(suite);
      // Top level only: the root suite has no title, its children are the spec files' describes.
      if (start !== undefined && suite.parent?.root) suites.push({ title: suite.title, durationMs: Math.round(performance.now() - start) });
    });
    runner.on("pass", (test) => {
      passes++;
      tests.push({ title: test.fullTitle(), ok: true, durationMs: test.duration ?? 0 });
    });
    runner.on("fail", (test) => {
      failedTitles.push(test.fullTitle());
      // A failing hook is reported as a "test" too; its duration is unknown.
      tests.push({ title: test.fullTitle(), ok: false, durationMs: test.duration ?? 0 });
    });
  });
  return { passes, failures, failedTitles, tests, suites };
}
