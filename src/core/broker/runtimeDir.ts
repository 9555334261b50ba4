import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { JitError } from "../errors";

/**
 * Where brokers listen. One socket per extension host, `broker-<pid>.sock`, in a per-user folder:
 * `$XDG_RUNTIME_DIR/azure-jit-connect/` (already private, cleared at logout), else
 * `<os.tmpdir()>/azure-jit-connect-<uid>/`. The folder is 0700 and the sockets 0600, and both are
 * checked to belong to us before anything is sent through them. On Windows: named pipes
 * `\\.\pipe\azure-jit-connect-<user>-broker-<pid>`.
 */

const FOLDER = "azure-jit-connect";
const SOCKET_NAME = /^broker-(\d+)\.sock$/;
/** sun_path is 108 bytes on Linux and 104 on macOS, including the terminating NUL. */
const MAX_SOCKET_PATH = 103;

export interface BrokerEndpoint {
  /** Socket path or pipe name, what `net.connect({ path })` takes. */
  path: string;
  /** Extension host process id, from the name. */
  pid: number;
  /** Creation order hint: newest first (0 where unknown, i.e. Windows). */
  mtimeMs: number;
}

const isWindows = (): boolean => process.platform === "win32";

function currentUid(): number | undefined {
  return typeof process.getuid === "function" ? process.getuid() : undefined;
}

function pipePrefix(): string {
  const user = os.userInfo().username.replace(/[^A-Za-z0-9_.-]/g, "_");
  return `azure-jit-connect-${user}-broker-`;
}

/**
 * Candidate folders, preferred first. The broker listens in the first; the tunnel looks in all of
 * them, because ssh may run from a shell whose environment differs from VS Code's (no
 * XDG_RUNTIME_DIR under `sudo -E` or some terminals).
 */
export function brokerRuntimeDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  if (isWindows()) return ["\\\\.\\pipe\\"];
  const dirs: string[] = [];
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg && path.isAbsolute(xdg)) dirs.push(path.join(xdg, FOLDER));
  dirs.push(path.join(os.tmpdir(), `${FOLDER}-${currentUid() ?? os.userInfo().username}`));
  return dirs;
}

/** Where this process's broker listens. */
export function brokerSocketPath(dir: string, pid: number = process.pid): string {
  if (isWindows()) return `\\\\.\\pipe\\${pipePrefix()}${pid}`;
  const socketPath = path.join(dir, `broker-${pid}.sock`);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new JitError("InvalidSetting", `The broker socket path is too long for a Unix socket (${socketPath}): set XDG_RUNTIME_DIR or TMPDIR to a shorter folder`);
  }
  return socketPath;
}

/**
 * Creates the folder if needed and makes sure only we can use it: a real folder (not a symlink
 * someone planted in /tmp), owned by us, mode 0700 (tightened if looser).
 */
export async function ensureBrokerRuntimeDir(dir: string): Promise<void> {
  if (isWindows()) return;
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const problem = await runtimeDirProblem(dir, { tighten: true });
  if (problem) throw new JitError("PrivateFolderUnsafe", problem);
}

/**
 * Why `dir` must not be trusted, or undefined when it is ours and private. "Missing" is reported
 * as a problem too; callers that only look for brokers treat it as "no broker here".
 */
export async function runtimeDirProblem(dir: string, options: { tighten?: boolean } = {}): Promise<string | undefined> {
  if (isWindows()) return undefined;
  let st;
  try {
    st = await fsp.lstat(dir);
  } catch {
    return `${dir} does not exist`;
  }
  if (!st.isDirectory()) return `${dir} is not a folder (a symbolic link or a file is in the way): remove it`;
  const uid = currentUid();
  if (uid !== undefined && st.uid !== uid) return `${dir} belongs to another user (uid ${st.uid}): remove it or set XDG_RUNTIME_DIR`;
  if ((st.mode & 0o077) !== 0) {
    if (!options.tighten) return `${dir} is accessible to other users (mode ${(st.mode & 0o777).toString(8)}): it should be 700`;
    await fsp.chmod(dir, 0o700);
  }
  return undefined;
}

/** Broker sockets in `dir` that belong to us, newest first. Foreign or odd entries are skipped. */
export async function listBrokerEndpoints(dir: string): Promise<BrokerEndpoint[]> {
  if (isWindows()) return listBrokerPipes();
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const uid = currentUid();
  const found: BrokerEndpoint[] = [];
  for (const name of names) {
    const m = SOCKET_NAME.exec(name);
    if (!m) continue;
    const full = path.join(dir, name);
    try {
      const st = await fsp.lstat(full);
      if (!st.isSocket() || (uid !== undefined && st.uid !== uid)) continue;
      found.push({ path: full, pid: Number(m[1]), mtimeMs: st.mtimeMs });
    } catch {
      // Removed while we looked: not a broker any more.
    }
  }
  return found.sort((a, b) => b.mtimeMs - a.mtimeMs || b.pid - a.pid);
}

async function listBrokerPipes(): Promise<BrokerEndpoint[]> {
  const prefix = pipePrefix();
  let names: string[];
  try {
    names = await fsp.readdir("\\\\.\\pipe\\");
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => ({ path: `\\\\.\\pipe\\${n}`, pid: Number(n.slice(prefix.length)), mtimeMs: 0 }))
    .sort((a, b) => b.pid - a.pid);
}

/** Whether a process with this id exists (signal 0 checks without sending anything). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes sockets left by extension hosts that died without cleaning up (a crash, a kill -9): their
 * pid is gone. A live pid may be reused by an unrelated process; such a socket is found dead by
 * the client (ECONNREFUSED) and removed then.
 */
export async function removeStaleBrokerSockets(dir: string): Promise<number> {
  if (isWindows()) return 0; // pipes vanish with their process
  let removed = 0;
  for (const endpoint of await listBrokerEndpoints(dir)) {
    if (endpoint.pid === process.pid || !isProcessAlive(endpoint.pid)) {
      await fsp.rm(endpoint.path, { force: true });
      removed++;
    }
  }
  return removed;
}
