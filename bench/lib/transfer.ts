/**
 * One measured transfer: SSH (a real `ssh` through each mode) or raw (pattern bytes over a plain TCP
 * connection, the port forwarder, or `tunnel.js stdio` pipes). Rates are timed from the first byte
 * to the last, so that connection setup (measured on its own elsewhere) does not dilute them; the
 * whole wall time is kept too. CPU time per process is recorded over the whole run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import { matchesPattern, writePattern } from "../support/pattern";
import { CpuMeter, type CpuReport, ownCpuMs } from "./proc";
import { type Mode, proxyCommandPid, type SshWorld } from "./sshWorld";

export interface TransferResult {
  bytes: number;
  /** First byte to last byte. */
  transferMs: number;
  /** Spawn/connect to the end. */
  wallMs: number;
  mbps: number;
  cpu: CpuReport;
}

export type Direction = "download" | "upload";

/**
 * `ssh <mode> 'head -c N /dev/zero'` into /dev/null, or a local `head -c N /dev/zero` into
 * `ssh <mode> 'cat > /dev/null'`. The bytes never pass through this (Node) driver: reading 512 MB
 * through a Node pipe costs the driver more CPU than ssh itself and capped direct SSH at a third of
 * its speed on this machine. Markers on the remote stderr (`start`/`ready`, `done`) time the
 * transfer itself. SSH's own integrity (MAC per packet) and the remote command's exit status, which
 * ssh returns, prove the stream arrived whole; the concurrency benchmark compares hashes.
 */
export async function sshTransfer(world: SshWorld, mode: Mode, direction: Direction, bytes: number, options: { localPort?: number; tunnelPid?: number } = {}): Promise<TransferResult> {
  const meter = new CpuMeter();
  meter.watchFn("driver", ownCpuMs);
  meter.watch("simulator", world.sim.pid);
  meter.watch("vm (sshd + command)", world.sshdPid, true);
  if (mode === "port") meter.watch("tunnel", options.tunnelPid);
  meter.start();
  const command = direction === "download" ? `echo start >&2; head -c ${bytes} /dev/zero` : "echo ready >&2; cat > /dev/null; echo done >&2";
  const started = performance.now();
  const devNull = openSync("/dev/null", "w");
  let feeder: ChildProcess | undefined;
  let child: ChildProcess;
  try {
    if (direction === "upload") {
      feeder = spawn("head", ["-c", String(bytes), "/dev/zero"], { stdio: ["ignore", "pipe", "ignore"] });
      meter.watchLate("load generator (local head)", feeder.pid ?? 0, true);
    }
    child = spawn("ssh", [...world.sshArgs(mode, { localPort: options.localPort }), command], {
      env: world.product.childEnv,
      stdio: [feeder?.stdout ?? "ignore", devNull, "pipe"],
    });
  } finally {
    closeSync(devNull);
  }
  meter.watchLate("ssh", child.pid ?? 0, true);
  if (mode === "stdio") void findLate(() => proxyCommandPid(child.pid ?? 0)).then((pid) => pid && meter.watchLate("tunnel", pid, true));
  let stderr = "";
  let first = 0;
  let last = 0;
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
    if (first === 0 && /^(start|ready)$/m.test(stderr)) first = performance.now();
    if (last === 0 && /^done$/m.test(stderr)) last = performance.now();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  if (direction === "download" || last === 0) last = performance.now();
  const wallMs = last - started;
  const cpu = meter.stop();
  if (code !== 0) throw new Error(`ssh (${mode}, ${direction}) exited ${code}: ${stderr.trim()}`);
  if (first === 0) throw new Error(`ssh (${mode}, ${direction}): no start marker: ${stderr.trim()}`);
  const transferMs = last - first;
  return { bytes, transferMs, wallMs, mbps: bytes / (1024 * 1024) / (transferMs / 1000), cpu };
}

/** Polls `find` for a process that appears a little later (ssh starts its ProxyCommand after forking). */
export async function findLate(find: () => number | undefined, timeoutMs = 5_000): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pid = find();
    if (pid) return pid;
    await new Promise((r) => setTimeout(r, 5));
  }
  return undefined;
}

export interface RawEnds {
  input: Writable;
  output: Readable;
  close(): void;
}

/** `down N` (read N pattern bytes) or `up N` (write N pattern bytes, wait for the count) over `ends`. */
export async function rawTransfer(ends: RawEnds, direction: Direction, bytes: number, options: { upRateMBps?: number; onProgress?: (n: number) => void; readChunk?: (chunk: Buffer) => Promise<void> | void } = {}): Promise<{ transferMs: number; bytes: number }> {
  const { input, output } = ends;
  if (direction === "download") {
    input.write(`down ${bytes}\n`);
    let got = 0;
    let first = 0;
    let bad = 0;
    await new Promise<void>((resolve, reject) => {
      output.on("data", (c: Buffer) => {
        if (first === 0) first = performance.now();
        if (!matchesPattern(c, got)) bad++;
        got += c.length;
        options.onProgress?.(got);
        const slow = options.readChunk?.(c);
        if (slow) {
          output.pause();
          void slow.then(() => output.resume());
        }
      });
      output.once("end", () => resolve());
      output.once("error", reject);
    });
    const transferMs = performance.now() - first;
    ends.close();
    if (got !== bytes || bad > 0) throw new Error(`raw download: ${got} of ${bytes} bytes, ${bad} chunks not matching the pattern`);
    return { transferMs, bytes: got };
  }
  input.write(`up ${bytes}${options.upRateMBps ? ` ${options.upRateMBps}` : ""}\n`);
  let text = "";
  const answer = new Promise<string>((resolve, reject) => {
    output.on("data", (c: Buffer) => {
      text += c.toString();
      const m = /ok (\d+) (\d+)\n/.exec(text);
      if (m) resolve(m[0]);
    });
    output.once("end", () => reject(new Error(`raw upload: the connection ended before the answer (${JSON.stringify(text)})`)));
  });
  await new Promise<void>((resolve) => {
    const check = (): void => {
      if (text.includes("go\n")) resolve();
      else output.once("data", check);
    };
    check();
  });
  const started = performance.now();
  await writePattern(input, bytes, options.onProgress);
  const line = await answer;
  const transferMs = performance.now() - started;
  ends.close();
  const [, count, bad] = /ok (\d+) (\d+)/.exec(line) ?? [];
  if (Number(count) !== bytes || Number(bad) !== 0) throw new Error(`raw upload: the service got ${count} of ${bytes} bytes, ${bad} chunks not matching`);
  return { transferMs, bytes };
}
