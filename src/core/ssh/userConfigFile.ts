import { promises as fsp } from "node:fs";
import { withFileLock } from "../fs/fileLock";
import * as path from "node:path";
import { throwIfAborted } from "../cancellation";
import { JitError } from "../errors";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writeFileAtomic } from "../fs/privateFiles";
import { findManagedBlock, removeManagedBlock, upsertIncludeBlock } from "./managedBlock";

/**
 * Reads and writes the user's SSH config, touching only our marked block (see managedBlock.ts).
 * Writes are atomic and keep the file's mode; a symbolic link (dotfile managers use them) is
 * followed, so the link stays a link and its target gets the change.
 */

/** The state of our block in the user's config, so the caller can ask before the first edit. */
export type IncludeBlockState =
  /** No config file, or a file without our block. */
  | "missing"
  /** Our block is there, up to date, above every Host/Match line. */
  | "current"
  /** Our block is there but includes another path or has been edited. */
  | "outdated"
  /** Our block is below a Host or Match line, where the Include only applies conditionally. */
  | "conditional";

interface UserConfig {
  /** The file that is actually read and written (symbolic links resolved). */
  target: string;
  content: Buffer | undefined;
  mode: number | undefined;
}

async function readUserConfig(file: string): Promise<UserConfig> {
  let target = file;
  try {
    target = await fsp.realpath(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    const link = await fsp.lstat(file).catch(() => undefined);
    if (link?.isSymbolicLink()) {
      throw new JitError("SshConfigConflict", `${file} is a symbolic link to a file that does not exist. Create the target or remove the link, then try again.`);
    }
  }
  try {
    const [content, st] = await Promise.all([fsp.readFile(target), fsp.stat(target)]);
    return { target, content, mode: st.mode & 0o7777 };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { target, content: undefined, mode: undefined };
    throw e;
  }
}

/** Reports whether our block is present and current in `userConfigFile`. */
export async function inspectIncludeBlock(userConfigFile: string, includeFile: string, platform: NodeJS.Platform = process.platform): Promise<IncludeBlockState> {
  const { content } = await readUserConfig(userConfigFile);
  if (!content) return "missing";
  const block = findManagedBlock(content, userConfigFile);
  if (!block) return "missing";
  if (!block.beforeAnySection) return "conditional";
  return upsertIncludeBlock(content, includeFile, userConfigFile, platform).equals(content) ? "current" : "outdated";
}

/** The most attempts at a read-modify-write before giving up on a file that keeps changing. */
const MAX_ATTEMPTS = 3;

/** Another VS Code window may edit the same file: one read-modify-write at a time, across processes. */
function editUserConfig(file: string, edit: (content: Buffer) => Buffer, signal: AbortSignal | undefined): Promise<boolean> {
  return withFileLock(file, () => editUserConfigLocked(file, edit, signal));
}

async function editUserConfigLocked(file: string, edit: (content: Buffer) => Buffer, signal: AbortSignal | undefined): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    const before = await readUserConfig(file);
    const original = before.content ?? Buffer.alloc(0);
    const updated = edit(original);
    // Nothing to do (this also leaves a missing file missing when there is nothing to remove).
    if (updated.equals(original)) return false;
    throwIfAborted(signal);
    // An editor may have saved the file since we read it: start again rather than lose its change.
    const now = await readUserConfig(file);
    if (!sameContent(now.content, before.content)) {
      if (attempt >= MAX_ATTEMPTS) throw new JitError("SshConfigConflict", `${file} keeps changing while Azure JIT Connect updates it. Save your edits and try again.`);
      continue;
    }
    if (before.content === undefined) {
      // ~/.ssh must be private for ssh; an existing folder's permissions are the user's business.
      await fsp.mkdir(path.dirname(before.target), { recursive: true, mode: PRIVATE_DIR_MODE });
    }
    await writeFileAtomic(before.target, updated, { mode: before.mode ?? PRIVATE_FILE_MODE });
    return true;
  }
}

function sameContent(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.equals(b);
}

/**
 * Puts our `Include "<includeFile>"` block at the top of the user's SSH config (creating the file,
 * 0600, and its folder, 0700, if needed). Returns false when the file already had the same block.
 * Throws `SshConfigConflict` (file and line) when the markers are damaged.
 */
export async function installIncludeBlock(
  userConfigFile: string,
  includeFile: string,
  options: { platform?: NodeJS.Platform } = {},
  signal?: AbortSignal,
): Promise<boolean> {
  return editUserConfig(userConfigFile, (content) => upsertIncludeBlock(content, includeFile, userConfigFile, options.platform), signal);
}

/** Removes our block from the user's SSH config, leaving every other byte as it was. Returns false when there was none. */
export async function removeIncludeBlock(userConfigFile: string, signal?: AbortSignal): Promise<boolean> {
  return editUserConfig(userConfigFile, (content) => removeManagedBlock(content, userConfigFile), signal);
}
