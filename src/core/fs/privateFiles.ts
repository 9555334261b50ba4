import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import * as path from "node:path";

/** Folders holding our state: owner-only on POSIX (0700). */
export const PRIVATE_DIR_MODE = 0o700;
/** Files holding our state: owner-only on POSIX (0600). */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and parents) if needed and makes sure it is owner-only. An existing folder with
 * looser permissions is tightened, because a key or a config written into it would otherwise be
 * readable by other users.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (process.platform !== "win32") {
    const st = await fsp.stat(dir);
    if ((st.mode & 0o077) !== 0) await fsp.chmod(dir, PRIVATE_DIR_MODE);
  }
}

export interface AtomicWriteOptions {
  /** File mode of the result (default 0600). */
  mode?: number;
}

/**
 * Writes `data` to `file` atomically: a temporary file in the same folder, fsync, then rename. A
 * reader sees either the old or the new content, never half of it, and a crash leaves at most a
 * stray temporary file (named `.<name>.<pid>.<random>.tmp`, cleaned by `removeStaleTempFiles` once
 * that process is gone: another VS Code window may be writing the same folder right now).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const mode = options.mode ?? PRIVATE_FILE_MODE;
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await fsp.open(tmp, "wx", mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // open() applies the umask; set the mode explicitly so the result is exactly what was asked.
    if (process.platform !== "win32") await fsp.chmod(tmp, mode);
    await renameWithRetry(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/** Windows may refuse a rename while another process (an antivirus, ssh) holds the target open. */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fsp.rename(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (process.platform !== "win32" || attempt >= 5 || (code !== "EPERM" && code !== "EBUSY" && code !== "EACCES")) throw e;
      await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
    }
  }
}

/**
 * Removes temporary files left behind in `dir` by an interrupted `writeFileAtomic` of a process that
 * is gone (never another live window's write in progress, whose rename would then fail ENOENT).
 */
export async function removeStaleTempFiles(dir: string): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const match = /^\..+?(?:\.(\d+))?\.[0-9a-f]{12}\.tmp$/.exec(name);
    if (!match) continue;
    const pid = match[1] === undefined ? undefined : Number(match[1]);
    if (pid !== undefined && isProcessAlive(pid)) continue;
    await fsp.rm(path.join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

/** Reads a UTF-8 file, or returns undefined when it does not exist. */
export async function readFileIfExists(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** True while process `pid` exists (EPERM: it exists, as another user's). */
function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
