/**
 * What /proc says about processes: CPU time (to show where the two cores go), resident memory,
 * process trees. Linux only, like the simulator's VMs.
 */
import { readFileSync, readdirSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on every Linux we run on). */
const HZ = 100;

export interface CpuTimes {
  /** Own user + system time, ms. */
  selfMs: number;
  /** Own system (kernel) time, ms. */
  sysMs: number;
  /** User + system time of reaped children, ms. */
  childrenMs: number;
}

function parseStat(text: string): string[] {
  // Fields after "(comm)"; comm may contain spaces and parentheses.
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

/** CPU times of a process, or undefined once it is gone. */
export function cpuTimes(pid: number): CpuTimes | undefined {
  try {
    const f = parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
    // After comm: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
    const tick = 1000 / HZ;
    return { selfMs: (Number(f[11]) + Number(f[12])) * tick, sysMs: Number(f[12]) * tick, childrenMs: (Number(f[13]) + Number(f[14])) * tick };
  } catch {
    return undefined;
  }
}

export function parentPid(pid: number): number | undefined {
  try {
    return Number(parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"))[1]);
  } catch {
    return undefined;
  }
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

export function allPids(): number[] {
  return readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map(Number);
}

/** Every descendant of `pid` (children, grandchildren...). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of allPids()) {
    const pp = parentPid(p);
    if (pp === undefined) continue;
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const out: number[] = [];
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

export { memoryOf } from "../../test/support/procfs";

/** Machine-wide CPU counters from /proc/stat (ms summed over all cores). */
export interface MachineCpu {
  busyMs: number;
  idleMs: number;
  stealMs: number;
}

export function machineCpu(): MachineCpu {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [, user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  const tick = 1000 / HZ;
  return {
    busyMs: ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) * tick,
    idleMs: ((idle ?? 0) + (iowait ?? 0)) * tick,
    stealMs: (steal ?? 0) * tick,
  };
}

/**
 * Follows the CPU time of named processes during a measurement. Processes that exit during it are
 * sampled every `intervalMs` (their last sample counts; a process that lived a few ms may be
 * missed, which the "other" share then shows). `totalOf` reads a process including its reaped
 * children (an sshd listener's sessions, once they have exited).
 */
export class CpuMeter {
  private readonly starts = new Map<string, number>();
  private readonly lasts = new Map<string, number>();
  private readonly watched = new Map<string, () => number | undefined>();
  private timer: NodeJS.Timeout | undefined;
  private machineStart: MachineCpu | undefined;
  private machineEnd: MachineCpu | undefined;
  private wallStart = 0;
  private wallMs = 0;

  constructor(private readonly intervalMs = 20) {}

  /** Follows one process: its own time, plus its reaped children's when `withChildren`. */
  watch(role: string, pid: number | undefined, withChildren = false): void {
    if (pid === undefined) return;
    const read = (): number | undefined => {
      const t = cpuTimes(pid);
      return t === undefined ? undefined : t.selfMs + (withChildren ? t.childrenMs : 0);
    };
    this.watchFn(role, read);
  }

  /** Follows a custom reading (e.g. this process: `process.cpuUsage()`). */
  watchFn(role: string, read: () => number | undefined): void {
    const key = this.uniqueRole(role);
    this.watched.set(key, read);
    const v = read();
    if (v !== undefined && this.timer !== undefined) {
      this.starts.set(key, v);
      this.lasts.set(key, v);
    }
  }

  /** Adds a process discovered after start (its time so far counts from 0 if `fromBirth`). */
  watchLate(role: string, pid: number, fromBirth: boolean): void {
    const key = this.uniqueRole(role);
    const read = (): number | undefined => {
      const t = cpuTimes(pid);
      return t === undefined ? undefined : t.selfMs;
    };
    this.watched.set(key, read);
    const v = read();
    this.starts.set(key, fromBirth ? 0 : (v ?? 0));
    if (v !== undefined) this.lasts.set(key, v);
  }

  start(): void {
    this.machineStart = machineCpu();
    this.wallStart = performance.now();
    for (const [role, read] of this.watched) {
      const v = read();
      if (v !== undefined) {
        this.starts.set(role, v);
        this.lasts.set(role, v);
      }
    }
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    for (const [role, read] of this.watched) {
      const v = read();
      if (v !== undefined) {
        if (!this.starts.has(role)) this.starts.set(role, v);
        this.lasts.set(role, v);
      }
    }
  }

  /** Stops; returns CPU ms per role, "other" (the rest of the machine) and the wall time. */
  stop(): CpuReport {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    this.wallMs = performance.now() - this.wallStart;
    this.machineEnd = machineCpu();
    const byRole: Record<string, number> = {};
    for (const role of this.watched.keys()) {
      const base = role.replace(/#\d+$/, "");
      const used = (this.lasts.get(role) ?? 0) - (this.starts.get(role) ?? 0);
      byRole[base] = (byRole[base] ?? 0) + Math.max(0, used);
    }
    const machineBusy = (this.machineEnd?.busyMs ?? 0) - (this.machineStart?.busyMs ?? 0);
    const machineIdle = (this.machineEnd?.idleMs ?? 0) - (this.machineStart?.idleMs ?? 0);
    const accounted = Object.values(byRole).reduce((a, b) => a + b, 0);
    return { wallMs: this.wallMs, byRoleMs: byRole, machineBusyMs: machineBusy, machineIdleMs: machineIdle, otherMs: Math.max(0, machineBusy - accounted) };
  }

  private uniqueRole(role: string): string {
    let key = role;
    for (let i = 2; this.watched.has(key); i++) key = `${role}#${i}`;
    return key;
  }
}

export interface CpuReport {
  wallMs: number;
  /** CPU ms per role over the measurement. */
  byRoleMs: Record<string, number>;
  machineBusyMs: number;
  machineIdleMs: number;
  /** Busy time not accounted to a watched role: other processes of this shared machine, kernel work. */
  otherMs: number;
}

/** This process's own CPU ms (user + system). */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
