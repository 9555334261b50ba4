import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { type RunningVm, type VmHost, type VmSshSpec } from "../contracts";
import { pickFreePort } from "./freePort";
import { osUser } from "./osUser";
import { renderSshdConfig, type SshdConfigInput } from "./sshdConfig";
import { detectSshdEnvironment, type SshdEnvironment } from "./sshdEnvironment";
import { launchSshd, type SshdProcess } from "./sshdProcess";
import { sweepStrayVms } from "./straySweep";
import { accountIds, prepareVmFolder, type VmPaths, vmPaths, writeAuthorizedKeys } from "./vmFolder";

export interface VmHostOptions {
  /** Parent of the VM folders (one per VM: host key, authorized_keys, sshd_config, home/, sshd.log). */
  baseDir: string;
  log?: (line: string) => void;
  /** Default /usr/sbin/sshd. */
  sshdPath?: string;
  /** How long sshd may take to answer with its banner (default 15 s). */
  readyTimeoutMs?: number;
}

/** The VM host of the contract plus what the simulator and tests need to observe it. */
export interface SshdVmHost extends VmHost {
  readonly baseDir: string;
  /** The start-time sweep of strays left in `baseDir` by an earlier run: the pids it killed. */
  readonly swept: Promise<number[]>;
  /** Pids of a running VM's guardian and sshd listener. */
  processIds(vmId: string): { guardian: number; sshd: number } | undefined;
}

interface VmEntry {
  spec: VmSshSpec;
  paths: VmPaths;
  running: RunningVm;
  process: SshdProcess;
}

/** A port taken between our probe and sshd's bind is retried with another one this many times. */
const PORT_ATTEMPTS = 6;

/**
 * Runs each simulated Linux VM as a real sshd on 127.0.0.1, each under a guardian that takes it
 * down with the simulator (see guardianScript.ts). Operations on one VM are serialised; different
 * VMs start in parallel.
 */
export function createVmHost(options: VmHostOptions): SshdVmHost {
  const baseDir = path.resolve(options.baseDir);
  const log = options.log ?? (() => undefined);
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  const vms = new Map<string, VmEntry>();
  const queues = new Map<string, Promise<unknown>>();
  let environment: Promise<SshdEnvironment> | undefined;

  const swept = (async () => {
    await fsp.mkdir(baseDir, { recursive: true, mode: 0o755 });
    return sweepStrayVms(baseDir, log);
  })();
  // A failed sweep surfaces on the first start(); it must not become an unhandled rejection.
  swept.catch(() => undefined);

  const keyOf = (vmId: string): string => vmId.toLowerCase();

  function serialise<T>(key: string, op: () => Promise<T>): Promise<T> {
    const previous = queues.get(key) ?? Promise.resolve();
    const next = previous.then(op, op);
    const settled = next.catch(() => undefined);
    queues.set(key, settled);
    void settled.then(() => {
      if (queues.get(key) === settled) queues.delete(key);
    });
    return next;
  }

  async function doStart(spec: VmSshSpec): Promise<RunningVm> {
    await swept;
    const key = keyOf(spec.vmId);
    const existing = vms.get(key);
    let preferredPort: number | undefined;
    if (existing?.process.isRunning()) {
      if (sameExceptKeys(existing.spec, spec)) {
        // sshd reads authorized_keys at every authentication: no restart needed.
        await writeAuthorizedKeys(existing.paths.authorizedKeys, spec.authorizedKeys);
        existing.spec = spec;
        return existing.running;
      }
      preferredPort = existing.running.port;
      await stopEntry(key, existing);
    }
    environment ??= detectSshdEnvironment(options.sshdPath ?? "/usr/sbin/sshd");
    const env = await environment;
    const owner = spec.loginUser === osUser() ? undefined : await accountIds(spec.loginUser);
    if (spec.loginUser !== osUser() && !owner) {
      throw new Error(`VM ${spec.vmName}: login user "${spec.loginUser}" is not an account on this machine (sshd only logs in real OS accounts)`);
    }
    if (owner || spec.entraLogin) {
      await makeTraversable(baseDir);
      const blocked = await firstUntraversableAncestor(baseDir);
      if (blocked) log(`vms: ${spec.loginUser} cannot reach ${spec.vmName}'s home: ${blocked} is not searchable by other accounts`);
    }
    const paths = vmPaths(baseDir, spec.vmId, spec.vmName);
    const hostPublicKey = await prepareVmFolder(paths, spec.vmName, spec.authorizedKeys, owner);
    const entra = spec.entraLogin ? await prepareEntraLogin(paths.dir, spec.entraLogin) : undefined;

    let lastError = "";
    for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      const port = attempt === 0 && preferredPort !== undefined ? preferredPort : await pickFreePort();
      const config = renderSshdConfig({
        vmName: spec.vmName,
        port,
        hostKeyFile: paths.hostKey,
        authorizedKeysFile: paths.authorizedKeys,
        homeDir: paths.home,
        loginUser: spec.loginUser,
        passwordAuthentication: spec.passwordAuthentication,
        disablePerSourcePenalties: env.disablePerSourcePenalties,
        entra,
      });
      await fsp.writeFile(paths.config, config, { mode: 0o644 });
      const result = await launchSshd(paths, port, { sshdPath: env.sshdPath, setprivPath: env.setprivPath, readyTimeoutMs });
      if (!result.ok) {
        lastError = result.message;
        if (result.portInUse) continue;
        break;
      }
      const running: RunningVm = { vmId: spec.vmId, port, hostPublicKey, homeDir: paths.home, logFile: paths.logFile };
      const entry: VmEntry = { spec, paths, running, process: result.process };
      vms.set(key, entry);
      void result.process.exited.then(() => {
        // Still registered means nobody asked it to stop: sshd died on its own.
        if (vms.get(key) === entry) {
          vms.delete(key);
          log(`vms: sshd of ${spec.vmName} exited unexpectedly (see ${paths.logFile})`);
        }
      });
      log(`vms: ${spec.vmName} sshd on 127.0.0.1:${port} (pid ${result.process.sshdPid})`);
      return running;
    }
    throw new Error(`VM ${spec.vmName}: sshd failed to start: ${lastError} (log: ${paths.logFile})`);
  }

  async function stopEntry(key: string, entry: VmEntry): Promise<void> {
    if (vms.get(key) === entry) vms.delete(key);
    await entry.process.stop();
    log(`vms: ${entry.spec.vmName} sshd stopped`);
  }

  return {
    baseDir,
    swept,
    start: (spec) => serialise(keyOf(spec.vmId), () => doStart(spec)),
    stop: (vmId) =>
      serialise(keyOf(vmId), async () => {
        const entry = vms.get(keyOf(vmId));
        if (entry) await stopEntry(keyOf(vmId), entry);
      }),
    async stopAll() {
      await swept.catch(() => undefined);
      const keys = new Set([...vms.keys(), ...queues.keys()]);
      await Promise.all(
        [...keys].map((key) =>
          serialise(key, async () => {
            const entry = vms.get(key);
            if (entry) await stopEntry(key, entry);
          }),
        ),
      );
    },
    get: (vmId) => vms.get(keyOf(vmId))?.running,
    rebuild: (vmId) =>
      serialise(keyOf(vmId), async () => {
        const entry = vms.get(keyOf(vmId));
        if (!entry) return undefined;
        await stopEntry(keyOf(vmId), entry);
        await fsp.rm(entry.paths.hostKey, { force: true });
        await fsp.rm(`${entry.paths.hostKey}.pub`, { force: true });
        return doStart(entry.spec);
      }),
    processIds(vmId) {
      const entry = vms.get(keyOf(vmId));
      return entry ? { guardian: entry.process.guardianPid, sshd: entry.process.sshdPid } : undefined;
    },
  };
}

function sameExceptKeys(a: VmSshSpec, b: VmSshSpec): boolean {
  return a.vmName === b.vmName && a.loginUser === b.loginUser && a.passwordAuthentication === b.passwordAuthentication && JSON.stringify(a.entraLogin) === JSON.stringify(b.entraLogin);
}

/** The CA key file (0644, public) and one home per Entra user, owned by that user, under the VM folder. */
async function prepareEntraLogin(vmDir: string, entra: NonNullable<VmSshSpec["entraLogin"]>): Promise<SshdConfigInput["entra"]> {
  const caKeyFile = path.join(vmDir, "entra_ca.pub");
  await fsp.writeFile(caKeyFile, `${entra.caPublicKey.trim()}\n`, { mode: 0o644 });
  const homesDir = path.join(vmDir, "entra-home");
  await fsp.mkdir(homesDir, { recursive: true, mode: 0o755 });
  const homes = new Map<string, string>();
  for (const user of entra.users) {
    const ids = await accountIds(user);
    if (!ids) continue;
    const home = path.join(homesDir, user);
    await fsp.mkdir(home, { recursive: true, mode: 0o700 });
    await fsp.chown(home, ids.uid, ids.gid);
    homes.set(user, home);
  }
  return { caKeyFile, checkUrl: entra.checkUrl, homes };
}

/** Another login account must be able to traverse baseDir to its VM's home and authorized_keys. */
async function makeTraversable(dir: string): Promise<void> {
  const st = await fsp.stat(dir);
  if ((st.mode & 0o001) === 0) await fsp.chmod(dir, (st.mode & 0o7777) | 0o011);
}

/** The first ancestor of `dir` that other accounts cannot traverse (o-x), if any. */
async function firstUntraversableAncestor(dir: string): Promise<string | undefined> {
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const st = await fsp.stat(current);
    if ((st.mode & 0o001) === 0) return current;
    if (path.dirname(current) === current) return undefined;
  }
}
