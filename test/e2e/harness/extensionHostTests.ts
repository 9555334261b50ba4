import * as fs from "node:fs";
import * as path from "node:path";
import { GREP_VARIABLE, RESULTS_FILE_VARIABLE, type TestRunResults } from "../../vscode/support/results";
import { fileSafe, logsDir, repoRoot, resultsDir, vscodeTestsIndex } from "./paths";
import { startSession, type SessionTimings } from "./session";

/**
 * Extension-host tests inside code-server: the mechanism of `@vscode/test-web`, with code-server's
 * Node extension host. The workbench URL's `payload` names the extension under development and the
 * compiled test module; the workbench runs the module's `run()` in the extension host and reports
 * the outcome by calling `codeAutomationExit(code, logs)` on the page, which we expose beforehand.
 */
export interface ExtensionHostTestOptions {
  /** Names the results file and the log folder. */
  name?: string;
  /** Default: the repository (its package.json and dist/). */
  developmentPath?: string;
  /** Default: .cache/vscode-tests/index.js. */
  testsPath?: string;
  settings?: Readonly<Record<string, unknown>>;
  env?: Readonly<Record<string, string>>;
  grep?: string;
  timeoutMs?: number;
}

export interface ExtensionHostTestRun {
  /** 0 when every test passed; the workbench's exit code otherwise (-1: no exit within the timeout). */
  exitCode: number;
  results: TestRunResults | undefined;
  resultsFile: string;
  /** Set when the run failed: where its logs were copied. */
  logsDir: string | undefined;
  timings: SessionTimings & { testRunMs?: number };
}

interface AutomationLogFile {
  relativePath: string;
  contents: string;
}

function isLogFile(value: unknown): value is AutomationLogFile {
  return typeof value === "object" && value !== null && typeof (value as Record<string, unknown>).relativePath === "string" && typeof (value as Record<string, unknown>).contents === "string";
}

export async function runExtensionHostTests(options: ExtensionHostTestOptions = {}): Promise<ExtensionHostTestRun> {
  const name = options.name ?? "extension-host-tests";
  const resultsFile = path.join(resultsDir, "vscode", `${fileSafe(name)}.json`);
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.rmSync(resultsFile, { force: true });
  const automationLog: string[] = [];
  let onExit: (exit: { code: number; logs: unknown }) => void = () => undefined;
  const exited = new Promise<{ code: number; logs: unknown }>((resolve) => (onExit = resolve));

  const session = await startSession({
    name,
    extension: { developmentPath: options.developmentPath ?? repoRoot },
    extensionTestsPath: options.testsPath ?? vscodeTestsIndex,
    settings: options.settings,
    env: { ...options.env, [RESULTS_FILE_VARIABLE]: resultsFile, ...(options.grep ? { [GREP_VARIABLE]: options.grep } : {}) },
    waitForWorkbench: false,
    beforeLoad: async (page) => {
      await page.exposeFunction("codeAutomationLog", (type: unknown, args: unknown) => {
        automationLog.push(`[${String(type)}] ${Array.isArray(args) ? args.map(String).join(" ") : String(args)}`);
      });
      await page.exposeFunction("codeAutomationExit", (code: unknown, logs: unknown) => {
        onExit({ code: typeof code === "number" ? code : 1, logs });
      });
    },
  });

  let exitCode = -1;
  let failed = true;
  const start = performance.now();
  const timings: ExtensionHostTestRun["timings"] = session.timings;
  try {
    const timeoutMs = options.timeoutMs ?? 180_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
    const exit = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    timings.testRunMs = Math.round(performance.now() - start);
    if (exit) {
      exitCode = exit.code;
      // The workbench hands over its own logs (window, extension host, output channels) on exit.
      if (Array.isArray(exit.logs)) {
        for (const file of exit.logs.filter(isLogFile)) {
          const dest = path.join(session.dirs.logs, "workbench", path.normalize(file.relativePath).replace(/^(\.\.[/\\])+/, ""));
          fs.mkdirSync(path.dirname(dest), { recursive: true });
          fs.writeFileSync(dest, file.contents);
        }
      }
    } else {
      automationLog.push(`[harness] no codeAutomationExit within ${timeoutMs} ms`);
    }
    fs.writeFileSync(path.join(session.dirs.logs, "automation.log"), automationLog.join("\n") + "\n");
    failed = exitCode !== 0;
  } finally {
    await session.dispose({ collectLogs: failed });
  }
  const results = fs.existsSync(resultsFile) ? (JSON.parse(fs.readFileSync(resultsFile, "utf8")) as TestRunResults) : undefined;
  return { exitCode, results, resultsFile, logsDir: failed ? path.join(logsDir, fileSafe(name)) : undefined, timings };
}
