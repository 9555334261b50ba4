import Mocha from "mocha";
import * as fs from "node:fs";
import * as path from "node:path";
import { e2eSpecsDir } from "./paths";

export interface SpecRunResult {
  passes: number;
  failures: number;
  failedTitles: string[];
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
  let passes = 0;
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on("pass", () => passes++);
    runner.on("fail", (test) => failedTitles.push(test.fullTitle()));
  });
  return { passes, failures, failedTitles };
}
