import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { codeServerEntry } from "./paths";
import { runChecked, spawnDetached, terminate } from "./processes";
import { type SessionDirs } from "./sessionDirs";

/** Settings that keep the workbench quiet and deterministic; a session's own settings win. */
export const BASE_SETTINGS: Readonly<Record<string, unknown>> = {
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true,
  "security.workspace.trust.enabled": false,
  // The DOM renderer keeps the terminal's text readable from the page (canvas/WebGL does not).
  "terminal.integrated.gpuAcceleration": "off",
};

/**
 * Writes `<user-data-dir>/User/settings.json` before code-server starts, and the same settings as
 * the remote machine's (`Machine/settings.json`): code-server is a remote, and there settings with
 * `"scope": "machine"` (most `azureJit.*` ones: cloud, auth, paths) are read from the machine's
 * file; seeded only as User settings they fell back to their defaults after the first settings
 * write (seen after Group By).
 */
export function seedSettings(dirs: SessionDirs, settings: Readonly<Record<string, unknown>>): string {
  const file = path.join(dirs.userData, "User", "settings.json");
  const content = JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2);
  for (const target of [file, path.join(dirs.userData, "Machine", "settings.json")]) {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
  return file;
}

/** Flags every code-server invocation needs so that it only touches the session's folders. */
function commonArgs(dirs: SessionDirs): string[] {
  const config = path.join(dirs.root, "code-server.yaml");
  if (!fs.existsSync(config)) fs.writeFileSync(config, "auth: none\n");
  return ["--config", config, "--user-data-dir", dirs.userData, "--extensions-dir", dirs.extensions];
}

/** Installs a .vsix into the session's extensions folder (`code-server --install-extension`). */
export async function installExtension(dirs: SessionDirs, env: NodeJS.ProcessEnv, vsix: string): Promise<void> {
  const output = await runChecked(process.execPath, [codeServerEntry, ...commonArgs(dirs), "--install-extension", vsix, "--force"], { env, timeoutMs: 60_000 });
  if (!/successfully installed/i.test(output)) throw new Error(`installing ${vsix} did not report success:\n${output}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface WorkbenchUrlOptions {
  /** Absolute folder on the code-server machine (this machine). */
  folder?: string;
  /** Load unpacked extensions from these folders (`--extensionDevelopmentPath`, repeatable). */
  extensionDevelopmentPaths?: readonly string[];
  /** Run extension-host tests from this compiled module (`--extensionTestsPath`). */
  extensionTestsPath?: string;
}

export interface CodeServer {
  readonly port: number;
  readonly origin: string;
  readonly pid: number;
  readonly logFile: string;
  /** The workbench URL; development and test paths travel in the `payload` query parameter. */
  workbenchUrl(options?: WorkbenchUrlOptions): string;
  /** Ends code-server's process group and every tagged process; idempotent. */
  stop(): Promise<void>;
}

export interface StartCodeServerOptions {
  dirs: SessionDirs;
  env: NodeJS.ProcessEnv;
  tag: string;
  folder: string;
  timeoutMs?: number;
  /** A fixed port (the demo's stable URL); default a free one, with retries if it is taken meanwhile. */
  port?: number;
}

export async function startCodeServer(options: StartCodeServerOptions): Promise<CodeServer> {
  if (options.port !== undefined) return startOnce(options, options.port);
  // A port picked here can be taken before code-server binds it; retry with another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, await freePort());
    } catch (error) {
      if (attempt >= 3 || !(error instanceof Error) || !error.message.includes("EADDRINUSE")) throw error;
    }
  }
}

async function startOnce(options: StartCodeServerOptions, port: number): Promise<CodeServer> {
  const { dirs, env, tag, folder } = options;
  const logFile = path.join(dirs.logs, "code-server.log");
  const args = [
    codeServerEntry,
    ...commonArgs(dirs),
    "--auth", "none",
    "--bind-addr", `127.0.0.1:${port}`,
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    "--ignore-last-opened",
    folder,
  ];
  const child = spawnDetached(process.execPath, args, { env, logFile, cwd: dirs.home });
  const origin = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | undefined;
  const server: CodeServer = {
    port,
    origin,
    pid: child.pid,
    logFile,
    workbenchUrl: (urlOptions = {}) => workbenchUrl(origin, port, { folder, ...urlOptions }),
    stop: () => (stopped ??= terminate([child.pid], tag).then(() => undefined)),
  };
  let exited: string | undefined;
  child.on("exit", (code, sig) => (exited = `code-server exited early (${sig ?? code})`));
  try {
    await waitForHealth(origin, options.timeoutMs ?? 30_000, () => exited);
  } catch (error) {
    await server.stop();
    const tail = fs.readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n");
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- code-server log (tail) ---\n${tail}`);
  }
  return server;
}

async function waitForHealth(origin: string, timeoutMs: number, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const early = exited();
    if (early) throw new Error(early);
    try {
      const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`code-server did not answer ${origin}/healthz within ${timeoutMs} ms`);
}

function workbenchUrl(origin: string, port: number, options: WorkbenchUrlOptions): string {
  // Paths in the payload are resources of the remote (code-server) side, hence vscode-remote URIs.
  const remote = (p: string): string => `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`;
  const payload: [string, string][] = [];
  for (const dir of options.extensionDevelopmentPaths ?? []) payload.push(["extensionDevelopmentPath", remote(dir)]);
  if (options.extensionTestsPath) payload.push(["extensionTestsPath", remote(options.extensionTestsPath)]);
  const url = new URL(origin + "/");
  if (options.folder) url.searchParams.set("folder", path.resolve(options.folder));
  if (payload.length > 0) url.searchParams.set("payload", JSON.stringify(payload));
  return url.toString();
}
