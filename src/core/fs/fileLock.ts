import { promises as fsp } from "node:fs";
import * as path from "node:path";
import * as lockfile from "proper-lockfile";

/**
 * Cross-process lock on a shared file. Two VS Code windows share global storage and ~/.ssh: every
 * read-modify-write of a shared file (profiles, our SSH config and the user's Include, known hosts,
 * keys, grants) runs inside this lock, re-reading the file first, so neither window overwrites
 * what the other just wrote. The lock is a `<file>.lock` folder (mkdir is atomic on every file
 * system, including network home folders), refreshed while held and considered stale after
 * STALE_MS, so a crashed window cannot block the other for long.
 */
const STALE_MS = 10_000;

export async function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const release = await lockfile.lock(file, {
    realpath: false,
    stale: STALE_MS,
    update: STALE_MS / 2,
    // Up to ~20 s of waiting: another window's write takes milliseconds; a stale lock 10 s.
    retries: { retries: 200, factor: 1.2, minTimeout: 5, maxTimeout: 100, randomize: true },
    lockfilePath: `${file}.lock`,
    onCompromised: () => undefined, // the work finishes; the next writer re-reads anyway
  });
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}
