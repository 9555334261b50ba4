import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TAG_VARIABLE } from "./processes";

/**
 * Fresh folders for one code-server + Chromium session. code-server, its extension host and
 * Chromium all write into HOME and XDG_* (config.yaml, coder-logs, caches, IPC sockets), so each
 * session gets its own, and nothing reaches the real home. The root is short and under the system
 * temp folder because VS Code puts Unix sockets under it (108-byte path limit).
 */
export interface SessionDirs {
  root: string;
  home: string;
  tmp: string;
  userData: string;
  extensions: string;
  /** The folder the workbench opens, unless the caller gives one. */
  workspace: string;
  browserProfile: string;
  /** Our own logs: code-server's output, the browser console. */
  logs: string;
}

/** `ajc-e2e-<runner pid>-XXXXXX`: the pid lets a later run remove the folders of a dead one. */
const DIR_PREFIX = "ajc-e2e-";

export function createSessionDirs(): SessionDirs {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  return makeSessionDirs(root, root);
}

/**
 * Creates (0700) the folders of a session: VS Code's under `root`, HOME (with its XDG folders) and
 * TMPDIR under `hostRoot`, which must be short (VS Code and the extension put Unix sockets there).
 */
export function makeSessionDirs(root: string, hostRoot: string): SessionDirs {
  const dirs: SessionDirs = {
    root,
    home: path.join(hostRoot, "home"),
    tmp: path.join(hostRoot, "tmp"),
    userData: path.join(root, "user-data"),
    extensions: path.join(root, "extensions"),
    workspace: path.join(root, "workspace"),
    browserProfile: path.join(root, "chromium"),
    logs: path.join(root, "logs"),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const sub of [".config", ".local/share", ".cache", "runtime"]) fs.mkdirSync(path.join(dirs.home, sub), { recursive: true, mode: 0o700 });
  return dirs;
}

/**
 * Variables that would make code-server or the extension host talk to, or behave like, whatever
 * started the harness: a surrounding VS Code's IPC hooks, code-server's own overrides, a Node loader.
 */
const INHERITED_BLOCKLIST = [/^VSCODE_/, /^ELECTRON_/, /^CODE_SERVER_/, /^NODE_OPTIONS$/, /^PORT$/, /^PASSWORD$/, /^HASHED_PASSWORD$/, /^GITHUB_TOKEN$/, /^CS_/, /^EXTENSIONS_GALLERY$/];

/** The environment for every process of one session: isolated folders, the session tag, then `extra`. */
export function sessionEnv(dirs: SessionDirs, tag: string, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!INHERITED_BLOCKLIST.some((re) => re.test(key))) env[key] = value;
  }
  Object.assign(env, {
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.home, ".config"),
    XDG_DATA_HOME: path.join(dirs.home, ".local/share"),
    XDG_CACHE_HOME: path.join(dirs.home, ".cache"),
    XDG_RUNTIME_DIR: path.join(dirs.home, "runtime"),
    TMPDIR: dirs.tmp,
    [TAG_VARIABLE]: tag,
    ...extra,
  });
  return env;
}

export function removeSessionDirs(dirs: SessionDirs): void {
  fs.rmSync(dirs.root, { recursive: true, force: true, maxRetries: 3 });
}

/** Removes session folders left by runners that are gone (killed with SIGKILL, say); returns them. */
export function removeOrphanSessionDirs(isRunnerAlive: (pid: number) => boolean): string[] {
  const removed: string[] = [];
  for (const entry of fs.readdirSync(os.tmpdir())) {
    const match = new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(entry);
    if (!match || Number(match[1]) === process.pid || isRunnerAlive(Number(match[1]))) continue;
    fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true, maxRetries: 3 });
    removed.push(entry);
  }
  return removed;
}
