import * as fs from "node:fs";
import * as path from "node:path";
import { type Page } from "playwright-core";
import { launchBrowser, type BrowserSession } from "./browser";
import { track } from "./cleanup";
import { installExtension, seedSettings, startCodeServer, type CodeServer } from "./codeServer";
import { readManifest, runInServerHost, type ExtensionManifest } from "./manifest";
import { Workbench } from "./pageObjects/workbench";
import { fileSafe, logsDir, repoRoot, vsixPath } from "./paths";
import { newTag, terminate } from "./processes";
import { createSessionDirs, removeSessionDirs, sessionEnv, type SessionDirs } from "./sessionDirs";

/** Where the extension under test comes from. */
export type ExtensionSource =
  /** Installed with `code-server --install-extension` (what users get). */
  | { vsix: string }
  /** Loaded unpacked, as with `--extensionDevelopmentPath` (what F5 does). */
  | { developmentPath: string }
  | { none: true };

export interface SessionOptions {
  /** Names the log folder and the screenshots of this session. */
  name: string;
  /** Default: the .vsix packaged by the runner. */
  extension?: ExtensionSource;
  /** More unpacked extensions loaded next to it (for instance the harness probe). */
  extraDevelopmentPaths?: string[];
  /** A compiled module exporting `run()`: the workbench runs it in the extension host. */
  extensionTestsPath?: string;
  /**
   * Seeded into `<user-data-dir>/User/settings.json`, over the harness defaults. This is how a spec
   * points the extension at the simulator: `settings: sim.settings`.
   */
  settings?: Readonly<Record<string, unknown>>;
  /**
   * Added to code-server's environment, which its extension host and terminals inherit. This is how
   * the simulator's CA reaches the extension: `env: { NODE_EXTRA_CA_CERTS: sim.caCertPath }`.
   */
  env?: Readonly<Record<string, string>>;
  /** The folder to open; default an empty per-session folder. */
  folder?: string;
  /** Files created in the default folder before start (relative path -> content). */
  files?: Readonly<Record<string, string>>;
  /** Runs after Chromium starts and before the workbench loads (to expose bindings, for instance). */
  beforeLoad?: (page: Page) => Promise<void>;
  /** Default true. */
  waitForWorkbench?: boolean;
  /** Chromium accepts any TLS certificate (to open the simulator's device-login page in a tab). */
  ignoreHttpsErrors?: boolean;
}

export interface SessionTimings {
  installExtensionMs?: number;
  codeServerStartMs?: number;
  browserLaunchMs?: number;
  workbenchReadyMs?: number;
}

export interface Session {
  readonly name: string;
  readonly dirs: SessionDirs;
  readonly codeServer: CodeServer;
  readonly browser: BrowserSession;
  readonly page: Page;
  readonly workbench: Workbench;
  readonly timings: SessionTimings;
  /** The folder the workbench opened. */
  readonly folder: string;
  /** Copies code-server's, the extension host's and the browser's logs to test-results/logs/<name>/. */
  collectLogs(): string;
  /** Stops Chromium and code-server (whole process groups), then removes the session's folders. */
  dispose(options?: { collectLogs?: boolean }): Promise<void>;
}

/** Timings of every session started in this process, for the runner's summary. */
export const allSessionTimings: { name: string; timings: SessionTimings }[] = [];

function elapsed(start: number): number {
  return Math.round(performance.now() - start);
}

export async function startSession(options: SessionOptions): Promise<Session> {
  const extension = options.extension ?? { vsix: vsixPath };
  const developmentPaths = [...("developmentPath" in extension ? [extension.developmentPath] : []), ...(options.extraDevelopmentPaths ?? [])];
  const manifests: ExtensionManifest[] = developmentPaths.map(readManifest);
  // A .vsix is the repository's extension, packaged by the runner.
  if ("vsix" in extension) manifests.push(readManifest(repoRoot));

  const dirs = createSessionDirs();
  const tag = newTag();
  const env = sessionEnv(dirs, tag, options.env);
  const timings: SessionTimings = {};
  allSessionTimings.push({ name: options.name, timings });
  const folder = options.folder ?? dirs.workspace;
  for (const [file, content] of Object.entries(options.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dirs.workspace, file)), { recursive: true });
    fs.writeFileSync(path.join(dirs.workspace, file), content);
  }

  seedSettings(dirs, { ...runInServerHost(manifests), ...options.settings });

  let codeServer: CodeServer | undefined;
  let browser: BrowserSession | undefined;
  let untrack = (): void => undefined;
  let disposed: Promise<void> | undefined;
  const collectLogs = (): string => collectSessionLogs(options.name, dirs, browser);
  const dispose = (disposeOptions: { collectLogs?: boolean } = {}): Promise<void> =>
    (disposed ??= (async () => {
      untrack();
      await browser?.close();
      await codeServer?.stop();
      // Whatever carries the session tag and is still alive (a shell, a Chromium helper) goes too.
      await terminate([], tag);
      try {
        if (disposeOptions.collectLogs) collectLogs();
      } finally {
        if (process.env.AZURE_JIT_E2E_KEEP !== "1") removeSessionDirs(dirs);
      }
    })());
  untrack = track(() => dispose({ collectLogs: true }));
  // A signal can dispose the session while it is still starting: stop before starting more.
  const checkNotDisposed = (): void => {
    if (disposed) throw new Error(`session ${options.name} was disposed while starting`);
  };

  try {
    if ("vsix" in extension) {
      const start = performance.now();
      await installExtension(dirs, env, extension.vsix);
      timings.installExtensionMs = elapsed(start);
    }
    checkNotDisposed();
    let start = performance.now();
    codeServer = await startCodeServer({ dirs, env, tag, folder });
    if (disposed) await codeServer.stop();
    checkNotDisposed();
    timings.codeServerStartMs = elapsed(start);

    start = performance.now();
    browser = await launchBrowser({ profileDir: dirs.browserProfile, env, ignoreHttpsErrors: options.ignoreHttpsErrors });
    if (disposed) await browser.close();
    checkNotDisposed();
    timings.browserLaunchMs = elapsed(start);
    await options.beforeLoad?.(browser.page);

    const workbench = new Workbench(browser.page);
    start = performance.now();
    await browser.page.goto(codeServer.workbenchUrl({ folder, extensionTestsPath: options.extensionTestsPath, ...(developmentPaths.length > 0 ? { extensionDevelopmentPaths: developmentPaths } : {}) }));
    if (options.waitForWorkbench ?? true) {
      await workbench.waitForReady();
      timings.workbenchReadyMs = elapsed(start);
    }
    const session: Session = { name: options.name, dirs, codeServer, browser, page: browser.page, workbench, timings, folder, collectLogs, dispose };
    return session;
  } catch (error) {
    await dispose({ collectLogs: true });
    throw error;
  }
}

function collectSessionLogs(name: string, dirs: SessionDirs, browser: BrowserSession | undefined): string {
  const dest = path.join(logsDir, fileSafe(name));
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  // Our own logs (code-server's output, automation logs), then VS Code's (server, extension host,
  // output channels: <user-data-dir>/logs/<time>/exthost1/<extension id>/<channel>.log).
  if (fs.existsSync(dirs.logs)) fs.cpSync(dirs.logs, dest, { recursive: true });
  const vscodeLogs = path.join(dirs.userData, "logs");
  if (fs.existsSync(vscodeLogs)) fs.cpSync(vscodeLogs, path.join(dest, "vscode"), { recursive: true });
  if (browser) fs.writeFileSync(path.join(dest, "browser-console.log"), browser.consoleLines.join("\n") + "\n");
  fs.writeFileSync(path.join(dest, "settings.json"), fs.readFileSync(path.join(dirs.userData, "User", "settings.json")));
  return dest;
}
