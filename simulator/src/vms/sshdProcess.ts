import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, promises as fsp } from "node:fs";
import * as net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { GUARDIAN_NAME, GUARDIAN_SCRIPT } from "./guardianScript";
import { killTree, waitGone } from "./processTree";
import { type VmPaths } from "./vmFolder";

/** One sshd under its guardian (see guardianScript.ts). */
export interface SshdProcess {
  readonly port: number;
  readonly guardianPid: number;
  readonly sshdPid: number;
  /** Resolves when the guardian has exited, i.e. sshd has been reaped. */
  readonly exited: Promise<void>;
  isRunning(): boolean;
  /** Closes the lifeline and resolves once sshd and the guardian are gone. */
  stop(): Promise<void>;
}

export type LaunchResult =
  | { ok: true; process: SshdProcess }
  | { ok: false; portInUse: boolean; message: string };

export interface LaunchOptions {
  sshdPath: string;
  /** util-linux setpriv, to give sshd a parent-death signal; undefined when not installed. */
  setprivPath: string | undefined;
  readyTimeoutMs: number;
}

const POLL_MS = 20;
const STOP_GRACE_MS = 10_000;

/**
 * Starts sshd for a prepared VM folder on `port` and waits until it is ready: sshd logged
 * "Server listening on 127.0.0.1 port N" in this run's part of the log (so the port is bound by
 * *our* sshd, not by a process that raced us to it) and the port answers with an SSH-2.0 banner.
 */
export async function launchSshd(paths: VmPaths, port: number, options: LaunchOptions): Promise<LaunchResult> {
  const logOffset = existsSync(paths.logFile) ? (await fsp.stat(paths.logFile)).size : 0;
  await fsp.rm(paths.sshdPidFile, { force: true });
  const logHandle = await fsp.open(paths.logFile, "a", 0o644);
  let child: ChildProcess;
  try {
    const args = ["-c", GUARDIAN_SCRIPT, GUARDIAN_NAME, options.sshdPath, paths.config, paths.sshdPidFile];
    if (options.setprivPath) args.push(options.setprivPath);
    child = spawn("/bin/sh", args, {
      stdio: ["pipe", "ignore", logHandle.fd],
      // A minimal environment: nothing of the simulator's reaches sshd. AZSIM_SSHD_DIR marks every
      // process of this VM (sshd re-execs itself per connection with this environment), which is
      // how a sweep recognises session processes that outlived their listener.
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", AZSIM_SSHD_DIR: paths.dir },
    });
  } finally {
    await logHandle.close();
  }
  const guardianPid = child.pid;
  if (guardianPid === undefined) {
    return { ok: false, portInUse: false, message: "Could not spawn the sshd guardian (/bin/sh)" };
  }
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      resolve();
    });
  });
  child.once("error", () => undefined);
  child.stdin?.on("error", () => undefined);
  await fsp.writeFile(paths.guardianPidFile, `${guardianPid}\n`);

  const abandon = async (): Promise<void> => {
    child.stdin?.end();
    // The grace timer is cancelled as soon as the guardian exits: a pending 10 s timer would
    // otherwise keep every process that stopped its VMs alive for 10 s.
    const grace = new AbortController();
    await Promise.race([exitedPromise, sleep(STOP_GRACE_MS, undefined, { signal: grace.signal }).catch(() => undefined)]);
    grace.abort();
    if (!exited) child.kill("SIGKILL");
    await exitedPromise;
    await fsp.rm(paths.guardianPidFile, { force: true });
  };

  const deadline = Date.now() + options.readyTimeoutMs;
  const listening = `Server listening on 127.0.0.1 port ${port}.`;
  for (;;) {
    if (exited) {
      await fsp.rm(paths.guardianPidFile, { force: true });
      const log = await readFrom(paths.logFile, logOffset);
      return { ok: false, portInUse: /Address already in use|Cannot bind any address/.test(log), message: lastLines(log) };
    }
    const log = await readFrom(paths.logFile, logOffset);
    if (log.includes(listening) && (await answersWithBanner(port))) break;
    if (Date.now() > deadline) {
      await abandon();
      return { ok: false, portInUse: false, message: `sshd did not become ready on port ${port}: ${lastLines(log)}` };
    }
    await sleep(POLL_MS);
  }
  const sshdPid = Number((await fsp.readFile(paths.sshdPidFile, "utf8")).trim());

  // Idle guardians must not keep the simulator's event loop alive: if its owner forgets stop(), the
  // process can still exit, and the closing lifeline then takes sshd down.
  child.unref();
  unrefStream(child.stdin);

  const stop = async (): Promise<void> => {
    if (exited) return;
    child.ref();
    await abandon();
    // The guardian reaps sshd before it exits, so this is normally already true; it is the
    // fallback for a guardian that had to be SIGKILLed.
    if (!(await waitGone([sshdPid], 0))) {
      await killTree(sshdPid);
      await waitGone([sshdPid], STOP_GRACE_MS);
    }
  };
  return {
    ok: true,
    process: { port, guardianPid, sshdPid, exited: exitedPromise, isRunning: () => !exited, stop },
  };
}

function unrefStream(stream: ChildProcess["stdin"]): void {
  // A child's stdin pipe is a net.Socket at runtime; the declared type is only Writable.
  if (stream instanceof net.Socket) stream.unref();
}

async function readFrom(file: string, offset: number): Promise<string> {
  try {
    const handle = await fsp.open(file, "r");
    try {
      const { size } = await handle.stat();
      if (size <= offset) return "";
      const buf = Buffer.alloc(Math.min(size - offset, 256 * 1024));
      const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
      return buf.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch {
    return "";
  }
}

function lastLines(text: string): string {
  const lines = text.trim().split("\n");
  return lines.slice(-5).join(" | ") || "(sshd wrote nothing)";
}

/** Connects to 127.0.0.1:port and resolves true when the server greets with "SSH-2.0-". */
export function answersWithBanner(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let received = "";
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("close", () => done(false));
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("latin1");
      if (received.includes("\n")) done(received.startsWith("SSH-2.0-"));
    });
  });
}
