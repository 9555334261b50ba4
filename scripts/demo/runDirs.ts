import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cacheDir } from "../../test/e2e/harness/paths";
import { alive } from "../../test/e2e/harness/processes";
import { makeSessionDirs, type SessionDirs } from "../../test/e2e/harness/sessionDirs";

/** Everything the demo keeps under the repository: its .vsix and one folder per run. */
export const demoCacheDir = path.join(cacheDir, "demo");
export const demoVsixPath = path.join(demoCacheDir, "azure-jit-connect.vsix");

const RUN_PREFIX = "run-";
/** HOME and TMPDIR live in a short folder: VS Code and the extension put Unix sockets there (108-byte paths). */
const HOST_PREFIX = "ajc-demo-";
/** A run started with --keep leaves this file, so that later runs do not sweep its folder. */
const KEEP_MARKER = "KEPT";

/**
 * The folders of one demo run, in the harness's SessionDirs shape so that its code-server helpers
 * work unchanged: user data, extensions, workspace, browser profile and logs under
 * `.cache/demo/run-<pid>/`; HOME (with XDG folders) and TMPDIR under the system temp folder. A
 * fresh run never sees the settings, grants or sign-in of an earlier one (whose simulator, with its
 * signing key and clock, is gone anyway).
 */
export function createRunDirs(): SessionDirs & { host: string } {
  const root = path.join(demoCacheDir, `${RUN_PREFIX}${process.pid}`);
  fs.rmSync(root, { recursive: true, force: true });
  const host = fs.mkdtempSync(path.join(os.tmpdir(), `${HOST_PREFIX}${process.pid}-`));
  return { ...makeSessionDirs(root, host), host };
}

/** Removes the run's folders, or marks them kept (`--keep`) and returns where they are. */
export function finishRunDirs(dirs: SessionDirs & { host: string }, keep: boolean): void {
  if (keep) {
    fs.writeFileSync(path.join(dirs.root, KEEP_MARKER), `kept by the demo run ${process.pid}; HOME was ${dirs.home}\n`);
    return;
  }
  for (const dir of [dirs.root, dirs.host]) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Folders of demo runs whose process is gone (killed with SIGKILL, say), unless kept. Returns how many. */
export function sweepDeadRuns(): number {
  let removed = 0;
  const sweep = (parent: string, prefix: string, skipKept: boolean): void => {
    let entries: string[];
    try {
      entries = fs.readdirSync(parent);
    } catch {
      return;
    }
    for (const entry of entries) {
      const pid = Number(new RegExp(`^${prefix}(\\d+)`).exec(entry)?.[1]);
      if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
      const dir = path.join(parent, entry);
      if (skipKept && fs.existsSync(path.join(dir, KEEP_MARKER))) continue;
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      removed++;
    }
  };
  sweep(demoCacheDir, RUN_PREFIX, true);
  sweep(os.tmpdir(), HOST_PREFIX, false);
  return removed;
}
