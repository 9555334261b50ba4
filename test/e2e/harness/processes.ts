import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";

/**
 * Process plumbing for the harness. code-server's pty host and the shells it starts outlive its
 * main pid, and node-pty puts each shell in a session of its own, so killing one process group is
 * not enough. Every process the harness starts therefore carries a per-session environment tag,
 * and teardown ends the process groups it created plus every process whose environment carries the
 * tag: only processes this harness started, found by their ids, never by name.
 */

/** The environment variable that marks the processes of one harness session. */
export const TAG_VARIABLE = "AZURE_JIT_E2E_TAG";

/** `<runner pid>-<random>`: the runner's pid lets a later run recognise leftovers of a dead one. */
export function newTag(): string {
  return `${process.pid}-${randomBytes(6).toString("hex")}`;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Tags handed out by a runner that is gone (killed with SIGKILL, say): what it left running is orphaned. */
export const orphanTags: TagMatch = (tag) => {
  const runner = Number(tag.split("-")[0]);
  return Number.isInteger(runner) && runner > 0 && runner !== process.pid && !alive(runner);
};

interface ProcessInfo {
  pid: number;
  pgrp: number;
  zombie: boolean;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may contain spaces or parentheses itself.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, zombie: fields[0] === "Z", pgrp: Number(fields[2]) };
  } catch {
    return undefined; // gone meanwhile
  }
}

function tagOf(pid: number): string | undefined {
  try {
    const prefix = `${TAG_VARIABLE}=`;
    return fs.readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").find((entry) => entry.startsWith(prefix))?.slice(prefix.length);
  } catch {
    return undefined;
  }
}

/** A tag, or a test on tags (the runner sweeps every tag it handed out: they start with its pid). */
export type TagMatch = string | ((tag: string) => boolean);

/** Tags handed out by this process: for a last sweep after everything was disposed. */
export const ownTags: TagMatch = (tag) => tag.startsWith(`${process.pid}-`);

/** Live (non-zombie) processes that are in one of `groups` or carry a matching tag. */
export function findProcesses(groups: readonly number[], tag: TagMatch | undefined): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const info = readProcess(pid);
    if (!info || info.zombie) continue;
    if (groups.includes(info.pgrp)) found.push(pid);
    else if (tag !== undefined) {
      const value = tagOf(pid);
      if (value !== undefined && (typeof tag === "string" ? value === tag : tag(value))) found.push(pid);
    }
  }
  return found;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone: that is the goal.
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Ends the given process groups and every tagged process: SIGTERM, then SIGKILL after `graceMs`.
 * Resolves when none is left; returns the pids that needed SIGKILL (for diagnostics).
 */
export async function terminate(groups: readonly number[], tag: TagMatch | undefined, graceMs = 3000): Promise<number[]> {
  for (const pgid of groups) signal(-pgid, "SIGTERM");
  for (const pid of findProcesses(groups, tag)) signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (findProcesses(groups, tag).length === 0) return [];
    await sleep(50);
  }
  const stubborn = findProcesses(groups, tag);
  for (const pgid of groups) signal(-pgid, "SIGKILL");
  for (const pid of stubborn) signal(pid, "SIGKILL");
  const killDeadline = Date.now() + 5000;
  while (findProcesses(groups, tag).length > 0) {
    if (Date.now() > killDeadline) throw new Error(`processes survived SIGKILL: ${findProcesses(groups, tag).join(", ")}`);
    await sleep(50);
  }
  return stubborn;
}

export interface SpawnLoggedOptions {
  cwd?: string;
  env: NodeJS.ProcessEnv;
  /** stdout and stderr are appended to this file. */
  logFile: string;
}

/**
 * Starts a long-running process in its own session and process group (pgid = pid), with its output
 * in a file, so that it can be ended as a group and its output read after a failure.
 */
export function spawnDetached(command: string, args: readonly string[], options: SpawnLoggedOptions): ChildProcess & { pid: number } {
  const out = fs.openSync(options.logFile, "a");
  try {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", out, out] });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    return child as ChildProcess & { pid: number };
  } finally {
    fs.closeSync(out); // the child holds its own copy
  }
}

export interface RunResult {
  code: number;
  output: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Show the output live instead of capturing it. */
  inherit?: boolean;
  /** SIGKILL the command after this long (it then fails with code 137). */
  timeoutMs?: number;
}

/** Runs a short command to completion, capturing stdout and stderr together. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: options.inherit ? "inherit" : ["ignore", "pipe", "pipe"] });
    let output = "";
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      output += `\n[harness] killed after ${options.timeoutMs} ms\n`;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", (error) => (clearTimeout(timer), reject(error)));
    child.on("close", (code, sig) => (clearTimeout(timer), resolve({ code: code ?? (sig ? 137 : 1), output })));
  });
}

/** Like {@link run}, but a non-zero exit is an error that carries the output. */
export async function runChecked(command: string, args: readonly string[], options: RunOptions): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${result.code}\n${result.output}`);
  return result.output;
}
