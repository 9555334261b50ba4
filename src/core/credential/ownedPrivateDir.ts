import { promises as fsp } from "node:fs";
import { JitError } from "../errors";
import { PRIVATE_DIR_MODE } from "../fs/privateFiles";

/**
 * Makes sure `dir` exists, is a real folder (not a symbolic link), belongs to the current user and
 * is owner-only (0700), tightening its mode once if needed. Anything else is refused with
 * `PrivateFolderUnsafe`: a private key written there could be read or swapped by someone else.
 * On Windows, where POSIX modes do not apply, only the folder's existence is ensured.
 */
export async function ensureOwnedPrivateDir(dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (process.platform === "win32") return;
  const refuse = (problem: string): JitError =>
    new JitError("PrivateFolderUnsafe", `Refusing to keep private keys in ${dir}: ${problem}. Remove the folder (Azure JIT Connect recreates it) or fix its owner and permissions.`, {
      details: { dir },
    });
  let st = await fsp.lstat(dir);
  if (st.isSymbolicLink()) throw refuse("it is a symbolic link");
  if (!st.isDirectory()) throw refuse("it is not a folder");
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw refuse(`it belongs to user id ${st.uid}, not to you (${uid})`);
  if ((st.mode & 0o077) !== 0) {
    await fsp.chmod(dir, PRIVATE_DIR_MODE).catch(() => undefined);
    st = await fsp.lstat(dir);
    if ((st.mode & 0o077) !== 0) throw refuse(`its permissions are ${(st.mode & 0o777).toString(8)} and could not be set to 700`);
  }
}
