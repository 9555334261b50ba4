import { promises as fsp } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Process inspection through /proc (Linux). The simulator runs its VMs on Linux (CI, dev
 * containers); elsewhere these helpers degrade to `process.kill(pid, 0)` and report no children,
 * which keeps stop/sweep working for the sshd listener itself but not for its session children.
 */
const hasProcFs = process.platform === "linux";

/**
 * Whether `pid` is a live process. A zombie counts as gone: it runs nothing, and where PID 1 does
 * not reap orphans (some container inits) it would otherwise look alive forever.
 */
export async function isAlive(pid: number): Promise<boolean> {
  if (!hasProcFs) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "EPERM";
    }
  }
  const stat = await readStat(pid);
  return stat !== undefined && stat.state !== "Z" && stat.state !== "X";
}

interface ProcStat {
  pid: number;
  ppid: number;
  state: string;
}

async function readStat(pid: number): Promise<ProcStat | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split after the last ")".
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  const ppid = Number(fields[1]);
  return { pid, ppid: Number.isFinite(ppid) ? ppid : -1, state: fields[0] ?? "?" };
}

/** Parent pid of `pid`, or undefined when it is gone. */
export async function parentOf(pid: number): Promise<number | undefined> {
  return (await readStat(pid))?.ppid;
}

/** `pid` and all its ancestors up to PID 1: processes a sweep must never touch. */
export async function selfAndAncestors(pid: number = process.pid): Promise<Set<number>> {
  const result = new Set<number>();
  let current: number | undefined = pid;
  while (current !== undefined && current > 1 && !result.has(current)) {
    result.add(current);
    current = await parentOf(current);
  }
  return result;
}

/** Command line of `pid` as argv, or undefined when it is gone or unreadable. */
export async function readCmdline(pid: number): Promise<string[] | undefined> {
  if (!hasProcFs) return undefined;
  try {
    const raw = await fsp.readFile(`/proc/${pid}/cmdline`, "utf8");
    return raw.split("\0").filter((s) => s.length > 0);
  } catch {
    return undefined;
  }
}

/** Environment of `pid` (as it was at exec), or undefined when unreadable (not ours, gone). */
export async function readEnviron(pid: number): Promise<string[] | undefined> {
  if (!hasProcFs) return undefined;
  try {
    const raw = await fsp.readFile(`/proc/${pid}/environ`, "utf8");
    return raw.split("\0").filter((s) => s.length > 0);
  } catch {
    return undefined;
  }
}

/** Every pid currently listed in /proc. */
export async function listPids(): Promise<number[]> {
  if (!hasProcFs) return [];
  const names = await fsp.readdir("/proc");
  return names.filter((n) => /^\d+$/.test(n)).map(Number);
}

async function childrenOf(pid: number): Promise<number[]> {
  const result: number[] = [];
  for (const candidate of await listPids()) {
    const stat = await readStat(candidate);
    if (stat?.ppid === pid) result.push(candidate);
  }
  return result;
}

/**
 * SIGKILLs `pid` and all its descendants. Each process is stopped first so it cannot fork a child
 * we would miss; sshd's per-connection processes call setsid(), so a process-group kill would not
 * reach them, hence the walk.
 */
export async function killTree(pid: number): Promise<void> {
  if (!(await isAlive(pid))) return;
  signal(pid, "SIGSTOP");
  for (const child of await childrenOf(pid)) await killTree(child);
  signal(pid, "SIGKILL");
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone, or not ours to signal: either way nothing more to do for this pid.
  }
}

/** Resolves true once every pid is gone, false if some are still alive after `timeoutMs`. */
export async function waitGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let alive = false;
    for (const pid of pids) if (await isAlive(pid)) alive = true;
    if (!alive) return true;
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
}
