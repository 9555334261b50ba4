/**
 * A small world for tunnel tests: the simulator's real Bastion data plane (with an in-test
 * BastionAuthority), real sshd VMs, an in-test broker whose handler asks the data plane for
 * sessions the way the extension will, and the tunnel program built from source.
 *
 * Every child (ssh → ProxyCommand → tunnel.js) gets XDG_RUNTIME_DIR and TMPDIR inside the world's
 * private temp folder, so the tunnel finds this world's broker and nothing else.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { promises as fsp, rmSync } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { type Readable } from "node:stream";
import { build } from "esbuild";
import { startBastionDataPlane } from "../../../simulator/src/bastion";
import type { AuditEntry, BastionAuthority, BastionDataPlane, FaultAction, RunningVm } from "../../../simulator/src/contracts";
import { ensureCa, issueServerCertificate } from "../../../simulator/src/tls/ca";
import { createVmHost, ensurePasswordUser, generateKeyPair, osUser, type SshdVmHost } from "../../../simulator/src/vms";
import type { BastionSession } from "../../../src/core/bastion/bastionSession";
import { requestSession } from "../../../src/core/bastion/tokenApi";
import { type BrokerHandler, type BrokerServer, startBrokerServer } from "../../../src/core/broker/brokerServer";
import { JitError } from "../../../src/core/errors";
import { collectSshRun, type SshResult } from "../../support/sshdTestKit";

export { memoryOf } from "../../support/procfs";

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const BASTION_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/bastionHosts/bas-test";
/** The "ARM token" the in-test authority accepts. A recognisable secret to look for in leaks. */
export const ARM_TOKEN = `arm-token-${"s3cr3t".repeat(8)}`;

export function vmId(name: string): string {
  return `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-tunnel/providers/Microsoft.Compute/virtualMachines/${name}`;
}

let tunnelBuild: Promise<string> | undefined;

/**
 * The tunnel program, bundled from src/tunnel/main.ts with the settings of esbuild.mjs into a
 * private folder (so that a concurrent `node esbuild.mjs`, which empties dist/, cannot pull it
 * away mid-test). AZURE_JIT_TUNNEL_JS=<path> tests a given build instead (e.g. dist/tunnel.js).
 */
export function tunnelProgram(): Promise<string> {
  const given = process.env.AZURE_JIT_TUNNEL_JS;
  if (given) return Promise.resolve(path.resolve(given));
  tunnelBuild ??= (async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-tunnel-build-"));
    const outfile = path.join(dir, "tunnel.js");
    await build({
      entryPoints: [path.join(REPO_ROOT, "src/tunnel/main.ts")],
      outfile,
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      logLevel: "silent",
      supported: { "dynamic-import": false },
      external: ["vscode", "bufferutil", "utf-8-validate"],
    });
    // Synchronous on purpose: the build folder goes when the test process ends.
    process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
    return outfile;
  })();
  return tunnelBuild;
}

export interface ExtraTarget {
  host: string;
  port: number;
}

export interface TunnelWorldOptions {
  /** sshd VMs to start (key login for the OS user). Default ["vm-01"]. */
  vms?: string[];
  /** Also start "vm-pw", a password VM (needs root; skipped otherwise: see `passwordVm`). */
  passwordVm?: boolean;
  /** Non-ssh targets reachable "through the Bastion": VM name → local TCP server. */
  targets?: Record<string, ExtraTarget>;
  /** Start the broker (default true). */
  broker?: boolean;
  /** Replace the broker handler. */
  handler?: (world: TunnelWorld) => BrokerHandler;
}

/** What `sshThroughTunnel` needs: where the tunnel is, which key and known_hosts, the children's environment. */
export interface SshTarget {
  tunnelJs: string;
  knownHostsFile: string;
  keyFile: string;
  /** The VMs' login account. */
  user: string;
  /** Environment for children: no secret, just where to find things. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  proxyCommand(extraArgs?: string): string;
}

export interface TunnelWorld extends SshTarget {
  root: string;
  /** XDG_RUNTIME_DIR given to children; the broker folder is `<this>/azure-jit-connect`. */
  runtimeParent: string;
  runtimeDir: string;
  dataPlane: BastionDataPlane;
  vmHost: SshdVmHost;
  broker: BrokerServer | undefined;
  vm(name: string): RunningVm;
  /** Starts a key VM again after a test stopped it (same host key, maybe another port). */
  restartVm(name: string): Promise<void>;
  passwordVm: { user: string; password: string } | { unavailable: string } | undefined;
  /** Every session the broker handler minted (their tokens are what must never leak). */
  minted: BastionSession[];
  audit: AuditEntry[];
  /** Faults applied to the next WebSocket upgrades, one per upgrade, in order. */
  upgradeFaults: FaultAction[];
  /** Names the broker handler refuses with RoleNotActive ("no active access"). */
  noAccess: Set<string>;
  handler: BrokerHandler;
  startBroker(): Promise<BrokerServer>;
  close(): Promise<void>;
}

export async function startTunnelWorld(options: TunnelWorldOptions = {}): Promise<TunnelWorld> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-tunnel-"));
  // Traversable (not listable) by the VMs' login account, which reads its authorized_keys below.
  await fsp.chmod(root, 0o711);
  const runtimeParent = path.join(root, "run");
  await fsp.mkdir(runtimeParent, { mode: 0o700 });
  const runtimeDir = path.join(runtimeParent, "azure-jit-connect");
  const ca = await ensureCa();
  const [tls, key, tunnelJs] = await Promise.all([issueServerCertificate(ca, ["localhost", "127.0.0.1"]), generateKeyPair("openssh-ed25519"), tunnelProgram()]);
  const keyFile = path.join(root, "id_ed25519");
  await fsp.writeFile(keyFile, key.privateKey, { mode: 0o600 });

  const vmHost = createVmHost({ baseDir: path.join(root, "vms") });
  const names = options.vms ?? ["vm-01"];
  // As root, log in as the simulator's /bin/sh account rather than root: root's interactive
  // profile on a developer machine (pyenv, nvm...) can add seconds, or a minute on a stale lock,
  // to every login, which says nothing about the tunnel.
  const account = process.getuid?.() === 0 ? await ensurePasswordUser() : undefined;
  const user = account && "user" in account ? account.user : osUser();
  await Promise.all(names.map((name) => vmHost.start({ vmId: vmId(name), vmName: name, loginUser: user, authorizedKeys: [key.publicKey], passwordAuthentication: false })));
  let passwordVm: TunnelWorld["passwordVm"];
  if (options.passwordVm) {
    passwordVm = account ?? { unavailable: "password login needs root (sshd checks real OS passwords)" };
    if ("user" in passwordVm) {
      await vmHost.start({ vmId: vmId("vm-pw"), vmName: "vm-pw", loginUser: passwordVm.user, authorizedKeys: [], passwordAuthentication: true });
    }
  }
  const knownHostsFile = path.join(root, "known_hosts");
  const hostKeys = [...names, ...(passwordVm && "user" in passwordVm ? ["vm-pw"] : [])].map((n) => `${n} ${vmHost.get(vmId(n))?.hostPublicKey ?? ""}`);
  await fsp.writeFile(knownHostsFile, `${hostKeys.join("\n")}\n`, { mode: 0o600 });

  const targets = options.targets ?? {};
  const authority: BastionAuthority = {
    authorizeTokenRequest(_bastionId, form) {
      if (form.get("aztoken") !== ARM_TOKEN) return { ok: false, status: 401, message: "The access token is invalid or expired" };
      const resourceId = form.get("resourceId") ?? "";
      const name = resourceId.split("/").pop() ?? "";
      if (!targets[name] && !names.includes(name) && name !== "vm-pw") return { ok: false, status: 404, message: `Resource ${resourceId} not found` };
      return { ok: true, target: { vmId: resourceId, port: Number(form.get("workloadHostPort")) }, principal: "alice@contoso.example" };
    },
    authorizeConnect(_bastionId, target) {
      const name = target.vmId.split("/").pop() ?? "";
      const extra = targets[name];
      if (extra) return { ok: true, host: extra.host, port: extra.port };
      const vm = vmHost.get(target.vmId);
      if (!vm) return { ok: false, reason: `VM ${name} is not running` };
      return { ok: true, host: "127.0.0.1", port: vm.port };
    },
  };
  const audit: AuditEntry[] = [];
  const upgradeFaults: FaultAction[] = [];
  const dataPlane = await startBastionDataPlane({
    bastionId: BASTION_ID,
    tls,
    hooks: {
      authority,
      now: () => Date.now(),
      audit: (entry) => audit.push(entry),
      fault: (service, method) => (service === "bastion" && method === "GET" ? upgradeFaults.shift() : undefined),
    },
  });

  const minted: BastionSession[] = [];
  const noAccess = new Set<string>();
  const world: TunnelWorld = {
    root,
    runtimeParent,
    runtimeDir,
    dataPlane,
    vmHost,
    broker: undefined,
    tunnelJs,
    keyFile,
    user,
    passwordVm,
    minted,
    audit,
    upgradeFaults,
    noAccess,
    knownHostsFile,
    handler: {
      async openSession(host, port, signal) {
        if (noAccess.has(host)) throw new JitError("RoleNotActive", `No active access for ${host}: run Request access`);
        const session = await requestSession({ endpoint: dataPlane.dnsName, resourceId: vmId(host), port, armToken: ARM_TOKEN }, signal);
        minted.push(session);
        return session;
      },
      async getPassword(host) {
        const pw = world.passwordVm;
        if (host !== "vm-pw" || !pw || !("password" in pw)) throw new JitError("NoCredentialSource", `${host} has no password credential`);
        return pw.password;
      },
    },
    async restartVm(name) {
      await vmHost.start({ vmId: vmId(name), vmName: name, loginUser: user, authorizedKeys: [key.publicKey], passwordAuthentication: false });
    },
    vm(name) {
      const vm = vmHost.get(vmId(name));
      if (!vm) throw new Error(`${name} is not running`);
      return vm;
    },
    async startBroker() {
      world.broker = await startBrokerServer({ runtimeDir, handler: options.handler ? options.handler(world) : world.handler });
      return world.broker;
    },
    env(extra = {}) {
      return {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
        XDG_RUNTIME_DIR: runtimeParent,
        TMPDIR: root,
        // What the extension's launcher sets to run tunnel.js with VS Code's Electron; plain node ignores it.
        ELECTRON_RUN_AS_NODE: "1",
        ...extra,
      };
    },
    proxyCommand(extraArgs = "") {
      return `"${process.execPath}" "${tunnelJs}" stdio %h --port %p --wait-broker 0${extraArgs ? ` ${extraArgs}` : ""}`;
    },
    async close() {
      await world.broker?.close();
      await dataPlane.close();
      await vmHost.stopAll();
      await fsp.rm(root, { recursive: true, force: true });
    },
  };
  if (options.broker !== false) await world.startBroker();
  return world;
}

// ---------------------------------------------------------------------------------------------
// ssh through the tunnel

export interface SshRun {
  host: string;
  command: string;
  /** Data for the remote command's stdin; closed after it. Empty stdin otherwise. */
  stdin?: Buffer | Readable;
  /** Extra `-o` options, e.g. password login. */
  options?: string[];
  env?: NodeJS.ProcessEnv;
  identity?: boolean;
  /** Extra arguments for the tunnel (e.g. "--verbose"). */
  tunnelArgs?: string;
  onSpawn?(pid: number): void;
  /** Called with each stdout chunk (the chunk is also hashed). */
  onStdout?(chunk: Buffer): void;
}

export type SshOutcome = SshResult;

/** Runs `ssh <host> <command>` with ProxyCommand = the tunnel, and no user or system ssh config. */
export function sshThroughTunnel(world: SshTarget, run: SshRun): Promise<SshOutcome> {
  const args = [
    "-F", "/dev/null",
    "-o", `UserKnownHostsFile=${world.knownHostsFile}`,
    "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", `HostKeyAlias=${run.host}`,
    "-o", "StrictHostKeyChecking=yes",
    "-o", "LogLevel=ERROR",
    "-o", `ProxyCommand=${world.proxyCommand(run.tunnelArgs)}`,
    ...(run.options ?? []).flatMap((o) => ["-o", o]),
  ];
  if (run.identity !== false) args.push("-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", world.keyFile);
  args.push("-l", world.user, run.host, run.command);
  const child = spawn("ssh", args, { env: world.env(run.env), stdio: ["pipe", "pipe", "pipe"] });
  if (child.pid !== undefined) run.onSpawn?.(child.pid);
  return collectSshRun(child, run.stdin, run.onStdout);
}

// ---------------------------------------------------------------------------------------------
// processes

/**
 * Runs tunnel.js with `args`; resolves with its exit and output once it exits. Its stdin is closed
 * at once, unless `keepStdinOpen` (like ssh, which keeps it open for the whole connection).
 */
export function runTunnel(
  world: Pick<SshTarget, "tunnelJs" | "env">,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: Buffer; keepStdinOpen?: boolean } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [world.tunnelJs, ...args], { env: world.env(options.env), stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  child.stdin.on("error", () => undefined);
  if (options.keepStdinOpen) child.stdin.write(options.stdin ?? Buffer.alloc(0));
  else child.stdin.end(options.stdin);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Direct children of `pid` (from /proc). */
export async function childPids(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await fsp.readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await fsp.readFile(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === pid) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

export async function isRunning(pid: number): Promise<boolean> {
  try {
    const stat = await fsp.readFile(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Polls `condition` until true; rejects after `timeoutMs` (a hang guard, not a speed check). */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TCP server on 127.0.0.1 for non-ssh targets. */
export async function listenLocal(onConnection: (socket: net.Socket) => void): Promise<{ port: number; server: net.Server; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}
