import * as fs from "node:fs";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { chromiumPath } from "./paths";

/**
 * Debian's Chromium driven by playwright-core. Playwright refuses `--user-data-dir` in args, hence
 * launchPersistentContext on a fresh folder. The flags keep Chromium from reaching the network
 * (there is none) and from needing a GPU or a sandbox (we run as root in a container).
 */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Console messages and page errors, for the logs of a failed test. */
  consoleLines: string[];
  close(): Promise<void>;
}

export interface LaunchOptions {
  profileDir: string;
  env: NodeJS.ProcessEnv;
  headless?: boolean;
  viewport?: { width: number; height: number };
  /**
   * Accept any TLS certificate. For pages served by the Azure simulator (its device-login page),
   * whose CA Chromium does not know; the extension host trusts it through NODE_EXTRA_CA_CERTS.
   */
  ignoreHttpsErrors?: boolean;
}

export async function launchBrowser(options: LaunchOptions): Promise<BrowserSession> {
  fs.mkdirSync(options.profileDir, { recursive: true });
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env)) if (value !== undefined) env[key] = value;
  const context = await chromium.launchPersistentContext(options.profileDir, {
    executablePath: chromiumPath,
    headless: options.headless ?? process.env.AZURE_JIT_E2E_HEADED !== "1",
    args: CHROMIUM_ARGS,
    env,
    viewport: options.viewport ?? { width: 1600, height: 1000 },
    ignoreHTTPSErrors: options.ignoreHttpsErrors ?? false,
    // The workbench reads the clipboard for some commands; grant it rather than see a prompt.
    permissions: ["clipboard-read", "clipboard-write"],
    // Playwright's own handlers would process.exit() on a signal before code-server is stopped;
    // the runner's handler (cleanup.ts) closes Chromium and code-server, then exits.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  // tsx compiles the harness with esbuild's keepNames, which wraps named functions in `__name(...)`;
  // a page function containing one would fail in the page ("__name is not defined"). Page functions
  // here avoid named inner functions, and this identity shim keeps a future one from breaking.
  await context.addInitScript("globalThis.__name ??= (fn) => fn;");
  // Fail a lost lookup in 15 s rather than 30 s; waits that need longer pass their own timeout.
  context.setDefaultTimeout(15_000);
  // Loading the workbench is no lookup: on a loaded 2-core machine it took over 15 s. A navigation
  // that never ends still fails, only later (the spec's own timeout bounds it too).
  context.setDefaultNavigationTimeout(120_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLines: string[] = [];
  const stamp = (): string => new Date().toISOString();
  page.on("console", (message) => consoleLines.push(`${stamp()} [${message.type()}] ${message.text()}`));
  page.on("pageerror", (error) => consoleLines.push(`${stamp()} [pageerror] ${error.stack ?? error.message}`));
  let closed: Promise<void> | undefined;
  return {
    context,
    page,
    consoleLines,
    close: () => (closed ??= context.close().catch(() => undefined)),
  };
}
