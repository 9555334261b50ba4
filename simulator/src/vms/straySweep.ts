import { type Dirent, promises as fsp } from "node:fs";
import * as path from "node:path";
import { GUARDIAN_NAME } from "./guardianScript";
import { killTree, listPids, readCmdline, readEnviron, selfAndAncestors, waitGone } from "./processTree";
import { pathsOf } from "./vmFolder";

const SWEEP_WAIT_MS = 10_000;

/**
 * Kills what an earlier run in `baseDir` left behind. Guardians make strays unlikely (see
 * guardianScript.ts); this covers what they cannot: a guardian killed with SIGKILL on a system
 * without setpriv, or session processes that outlived their listener.
 *
 * Two sources, both verified before anything is signalled, so a pid reused by an unrelated process
 * is never touched:
 * 1. the pid files of each VM folder, trusted only if the process's command line names that
 *    folder's sshd_config (sshd itself, or its guardian);
 * 2. processes whose environment marks them as belonging to a VM folder under `baseDir`:
 *    AZSIM_SSHD_DIR (sshd and its per-connection processes) or AZSIM_VM_HOME (login sessions).
 *    Only processes we may read are seen, which is all of them when running as root.
 *
 * Returns the pids it killed.
 */
export async function sweepStrayVms(baseDir: string, log?: (line: string) => void): Promise<number[]> {
  const root = path.resolve(baseDir);
  const protectedPids = await selfAndAncestors();
  const victims = new Set<number>();

  for (const dir of await vmFolders(root)) {
    const paths = pathsOf(dir);
    for (const pidFile of [paths.guardianPidFile, paths.sshdPidFile]) {
      const pid = await readPidFile(pidFile);
      if (pid === undefined || protectedPids.has(pid)) continue;
      if (await namesConfig(pid, paths.config, pidFile === paths.guardianPidFile)) victims.add(pid);
    }
  }
  const prefix = root + path.sep;
  for (const pid of await listPids()) {
    if (protectedPids.has(pid) || victims.has(pid)) continue;
    const env = await readEnviron(pid);
    if (env?.some((e) => isMarker(e, "AZSIM_SSHD_DIR=", prefix) || isMarker(e, "AZSIM_VM_HOME=", prefix))) victims.add(pid);
  }

  for (const pid of victims) await killTree(pid);
  if (victims.size > 0) {
    log?.(`vms: swept ${victims.size} stray process(es) of an earlier run in ${root}: ${[...victims].join(", ")}`);
    if (!(await waitGone([...victims], SWEEP_WAIT_MS))) log?.("vms: some stray processes did not exit after SIGKILL");
  }
  for (const dir of await vmFolders(root)) {
    const paths = pathsOf(dir);
    await fsp.rm(paths.guardianPidFile, { force: true });
    await fsp.rm(paths.sshdPidFile, { force: true });
  }
  return [...victims];
}

/**
 * Whether `pid` runs with `config`: sshd rewrites its process title ("sshd: /usr/sbin/sshd -D -e -f
 * <config> [listener] ..."), so the command line is matched as text, not as argv.
 */
async function namesConfig(pid: number, config: string, asGuardian: boolean): Promise<boolean> {
  const argv = await readCmdline(pid);
  if (!argv) return false;
  const text = ` ${argv.join(" ")} `;
  return text.includes(` ${config} `) && (!asGuardian || argv.includes(GUARDIAN_NAME));
}

function isMarker(entry: string, name: string, prefix: string): boolean {
  return entry.startsWith(name) && entry.slice(name.length).startsWith(prefix);
}

async function vmFolders(root: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await fsp.readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isDirectory()).map((e) => path.join(root, e.name));
}

async function readPidFile(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await fsp.readFile(file, "utf8")).trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}
