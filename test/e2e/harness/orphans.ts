import { alive, findProcesses, orphanTags, terminate } from "./processes";
import { removeOrphanSessionDirs } from "./sessionDirs";

/**
 * A runner killed with SIGKILL cannot stop what it started. The next run does: processes carrying
 * a session tag of a runner that no longer exists, and that runner's session folders. Only
 * processes this harness started carry such a tag. Returns a line for the log, or undefined.
 */
export async function sweepOrphans(): Promise<string | undefined> {
  const pids = findProcesses([], orphanTags);
  if (pids.length > 0) await terminate([], orphanTags);
  const dirs = removeOrphanSessionDirs(alive);
  if (pids.length === 0 && dirs.length === 0) return undefined;
  return `stopped ${pids.length} process(es) and removed ${dirs.length} folder(s) left by a dead run`;
}
