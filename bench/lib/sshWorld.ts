/**
 * The SSH benchmarks' world: the whole simulator (demo scenario) in its own process, the product in
 * the driver (signed in, `vm-ready` connected: access, Key Vault key, SSH config, broker), and three
 * ways for a real `ssh` to reach the same real sshd:
 *   - direct: `ssh -p <sshd port> 127.0.0.1` (no tunnel: the baseline);
 *   - stdio:  ProxyCommand = the product's (`node tunnel.js stdio <alias>`, from its SSH config);
 *   - port:   `tunnel.js port <alias>` running, `ssh -p <its port> 127.0.0.1`.
 * Every mode uses the same key, known_hosts entry (HostKeyAlias) and options, so only the
 * transport differs.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { commandLine, descendants } from "./proc";
import { productionBuild } from "./build";
import { type ProductSession, startProductSession } from "./product";
import { type SimProcess, startSimProcess } from "./simProcess";
import type { VmSummary } from "../../test/support/controlClient";
import type { SimChildReady } from "../support/simChild";

const run = promisify(execFile);

export type Mode = "direct" | "stdio" | "port";
export const TUNNEL_MODES: readonly Mode[] = ["stdio", "port"];

export interface PortTunnel {
  pid: number;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface SshWorld {
  sim: SimProcess<Extract<SimChildReady, { kind: "simulator" }>>;
  product: ProductSession;
  tunnelJs: string;
  vm: VmSummary;
  alias: string;
  keyFile: string;
  /** The product's ProxyCommand for the alias, as ssh reads it from the product's config. */
  proxyCommand: string;
  /** The VM's sshd listener (its CPU time includes its sessions once they have exited). */
  sshdPid: number;
  /** ssh arguments (without the remote command) for a mode; port mode needs the forwarder's port. */
  sshArgs(mode: Mode, options?: { localPort?: number; extra?: string[] }): string[];
  startPortTunnel(extraArgs?: string[], nodeArgs?: string[]): Promise<PortTunnel>;
  close(): Promise<void>;
}

const HOST_KEY_ALIAS = "bench-vm";

export async function startSshWorld(options: { vmName?: string; simNodeArgs?: string[] } = {}): Promise<SshWorld> {
  const build = await productionBuild();
  const sim = await startSimProcess({ kind: "simulator", scenario: "demo" }, { nodeArgs: options.simNodeArgs });
  let product: ProductSession | undefined;
  try {
    product = await startProductSession(sim.ready, { tunnelJs: build.tunnelJs });
    const vmName = options.vmName ?? "vm-ready";
    const entry = product.service.inventory?.vms.find((v) => v.name === vmName);
    if (!entry) throw new Error(`${vmName} is not in the inventory`);
    const info = await product.service.connect(entry.id);
    const vm = await product.control.vm(vmName);
    if (!vm.sshPort || !vm.hostPublicKey || !vm.logFile) throw new Error(`${vmName} has no running sshd`);
    const keyFile = path.join(product.service.paths.keysDir, info.alias);
    const knownHosts = path.join(product.root, "bench_known_hosts");
    await fsp.writeFile(knownHosts, `${HOST_KEY_ALIAS} ${vm.hostPublicKey}\n`, { mode: 0o600 });
    const { stdout } = await run("ssh", ["-G", "-F", info.configFile, info.alias], { env: product.childEnv });
    const proxyCommand = /^proxycommand (.+)$/m.exec(stdout)?.[1];
    if (!proxyCommand) throw new Error("the product's SSH config has no ProxyCommand");
    const vmDir = path.dirname(vm.logFile);
    // The listener (not its guardian shell): per-connection sshd processes are its descendants.
    const sshdPid = Number((await fsp.readFile(path.join(vmDir, "sshd.pid"), "utf8").catch(() => "")).trim()) || undefined;
    if (!sshdPid) throw new Error(`cannot find the sshd of ${vmName}`);
    const user = vm.loginUser ?? "root";
    const p = product;
    const common = [
      "-F", "/dev/null",
      "-o", "BatchMode=yes",
      "-o", "IdentitiesOnly=yes",
      "-i", keyFile,
      "-o", `UserKnownHostsFile=${knownHosts}`,
      "-o", "GlobalKnownHostsFile=/dev/null",
      "-o", `HostKeyAlias=${HOST_KEY_ALIAS}`,
      "-o", "StrictHostKeyChecking=yes",
      "-o", "LogLevel=ERROR",
      "-l", user,
    ];
    const world: SshWorld = {
      sim,
      product: p,
      tunnelJs: build.tunnelJs,
      vm,
      alias: info.alias,
      keyFile,
      proxyCommand,
      sshdPid,
      sshArgs(mode, o = {}) {
        const extra = o.extra ?? [];
        switch (mode) {
          case "direct":
            return [...common, ...extra, "-p", String(vm.sshPort), "127.0.0.1"];
          case "stdio":
            return [...common, ...extra, "-o", `ProxyCommand=${proxyCommand}`, info.alias];
          case "port":
            if (!o.localPort) throw new Error("port mode needs the forwarder's port");
            return [...common, ...extra, "-p", String(o.localPort), "127.0.0.1"];
        }
      },
      startPortTunnel(extraArgs = [], nodeArgs = []) {
        return startPortTunnel(build.tunnelJs, info.alias, p.childEnv, extraArgs, nodeArgs);
      },
      async close() {
        await p.close();
        await sim.stop();
      },
    };
    return world;
  } catch (e) {
    await product?.close().catch(() => undefined);
    await sim.stop();
    throw e;
  }
}

/** `tunnel.js port <alias> --local-port 0`, once it printed its ready line. */
export async function startPortTunnel(tunnelJs: string, alias: string, env: NodeJS.ProcessEnv, extraArgs: string[] = [], nodeArgs: string[] = []): Promise<PortTunnel> {
  const child = spawn(process.execPath, [...nodeArgs, tunnelJs, "port", alias, "--local-port", "0", "--wait-broker", "0", ...extraArgs], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr += c.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) {
        try {
          resolve((JSON.parse(line) as { port: number }).port);
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      }
    });
    child.once("exit", (code) => reject(new Error(`tunnel.js port exited (${code}): ${stderr.trim()}`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    pid: child.pid ?? 0,
    port,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** The tunnel process ssh started as its ProxyCommand (a child of ssh running tunnel.js). */
export function proxyCommandPid(sshPid: number): number | undefined {
  return descendants(sshPid).find((p) => commandLine(p).includes("tunnel.js"));
}
