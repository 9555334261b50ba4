/**
 * Starts bench/support/simChild.ts as a separate process and waits for its ready line.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import type { SimChildConfig, SimChildReady } from "../support/simChild";
import { REPO_ROOT } from "./build";

export interface SimProcess<R extends SimChildReady = SimChildReady> {
  ready: R;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
// A driver that dies on an exception must not leave a simulator (and its sshds) behind.
process.on("exit", () => {
  for (const c of live) c.kill("SIGKILL");
});

export async function startSimProcess<K extends SimChildConfig["kind"]>(
  config: Extract<SimChildConfig, { kind: K }>,
  options: { nodeArgs?: string[] } = {},
): Promise<SimProcess<Extract<SimChildReady, { kind: K }>>> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", "tsx", path.join(REPO_ROOT, "bench/support/simChild.ts")], {
    cwd: REPO_ROOT,
    stdio: ["pipe", "pipe", "pipe"],
    env: process.env,
  });
  live.add(child);
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  child.stdin?.on("error", () => undefined);
  child.stdin?.write(`${JSON.stringify(config)}\n`);
  const ready = await new Promise<SimChildReady>((resolve, reject) => {
    let out = "";
    const onData = (c: Buffer): void => {
      out += c.toString();
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      child.stdout?.off("data", onData);
      try {
        resolve(JSON.parse(out.slice(0, nl)) as SimChildReady);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the simulator process exited (${code}) before it was ready: ${stderr.trim()}`)));
  });
  child.stdout?.resume();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    ready: ready as Extract<SimChildReady, { kind: K }>,
    pid: child.pid ?? 0,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(child);
    },
  };
}
