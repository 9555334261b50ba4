import * as fs from "node:fs";
import * as path from "node:path";
import { format } from "node:util";
import Mocha from "mocha";
import { GREP_VARIABLE, RESULTS_FILE_VARIABLE, type TestOutcome, type TestRunResults } from "./support/results";

/**
 * Entry point of the extension-host tests (`extensionTestsPath`). The workbench calls `run()` inside
 * the extension host once the extension under development is loaded; a rejection makes the
 * workbench report exit code 1 to the harness. The suites are bundled next to this file
 * (`suite/*.test.js`), and mocha is resolved at run time from the repository's node_modules.
 */
export async function run(): Promise<void> {
  const grep = process.env[GREP_VARIABLE];
  const mocha = new Mocha({ ui: "tdd", color: false, timeout: 30_000, reporter: "spec", ...(grep ? { grep } : {}) });
  const suiteDir = path.join(__dirname, "suite");
  for (const file of fs.readdirSync(suiteDir).filter((f) => f.endsWith(".test.js")).sort()) mocha.addFile(path.join(suiteDir, file));

  // Keep the spec reporter's text for the harness: the extension host's console only reaches the
  // browser's console, as format strings.
  const output: string[] = [];
  const consoleLog = Mocha.reporters.Base.consoleLog;
  Mocha.reporters.Base.consoleLog = (...data: unknown[]) => {
    output.push(format(...data));
    consoleLog(...data);
  };

  const tests: TestOutcome[] = [];
  const started = Date.now();
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run(resolve);
    runner.on("pass", (test) => tests.push({ title: test.fullTitle(), state: "passed", durationMs: test.duration ?? 0 }));
    runner.on("pending", (test) => tests.push({ title: test.fullTitle(), state: "pending", durationMs: 0 }));
    runner.on("fail", (test, error: unknown) =>
      tests.push({ title: test.fullTitle(), state: "failed", durationMs: test.duration ?? 0, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  }).finally(() => (Mocha.reporters.Base.consoleLog = consoleLog));

  const results: TestRunResults = {
    passes: tests.filter((t) => t.state === "passed").length,
    failures,
    pending: tests.filter((t) => t.state === "pending").length,
    durationMs: Date.now() - started,
    tests,
    output: output.join("\n"),
  };
  const resultsFile = process.env[RESULTS_FILE_VARIABLE];
  if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
  if (tests.length === 0) throw new Error("no extension-host tests ran");
}
