import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, promises as fsp } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** File names inside a VM folder (a sweep of a later run relies on them). */
export const VM_FILES = {
  config: "sshd_config",
  hostKey: "ssh_host_ed25519_key",
  authorizedKeys: "authorized_keys",
  home: "home",
  log: "sshd.log",
  /** Written by the guardian as soon as sshd is spawned; removed when sshd is reaped. */
  sshdPid: "sshd.pid",
  /** Written by the simulator after it spawned the guardian. */
  guardianPid: "guardian.pid",
} as const;

export interface VmPaths {
  dir: string;
  config: string;
  hostKey: string;
  authorizedKeys: string;
  home: string;
  logFile: string;
  sshdPidFile: string;
  guardianPidFile: string;
}

/**
 * `<baseDir>/<vmName>-<8 hex of the lower-cased ARM id>`: readable, and distinct for two VMs with
 * the same name in different resource groups (ARM ids are case-insensitive).
 */
export function vmPaths(baseDir: string, vmId: string, vmName: string): VmPaths {
  const safeName = vmName.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 64) || "vm";
  const digest = createHash("sha256").update(vmId.toLowerCase()).digest("hex").slice(0, 8);
  return pathsOf(path.join(path.resolve(baseDir), `${safeName}-${digest}`));
}

export function pathsOf(dir: string): VmPaths {
  return {
    dir,
    config: path.join(dir, VM_FILES.config),
    hostKey: path.join(dir, VM_FILES.hostKey),
    authorizedKeys: path.join(dir, VM_FILES.authorizedKeys),
    home: path.join(dir, VM_FILES.home),
    logFile: path.join(dir, VM_FILES.log),
    sshdPidFile: path.join(dir, VM_FILES.sshdPid),
    guardianPidFile: path.join(dir, VM_FILES.guardianPid),
  };
}

export interface AccountIds {
  uid: number;
  gid: number;
}

/**
 * Creates the VM folder, its host key (once: a VM keeps its host key across restarts, like a real
 * one, so pinned known_hosts entries stay valid), its home and its authorized_keys. Returns the
 * host public key as "ssh-ed25519 AAAA...". `owner` is the login user when it differs from the
 * account running sshd: the home must be writable by it, and sshd reads authorized_keys as it.
 */
export async function prepareVmFolder(paths: VmPaths, vmName: string, authorizedKeys: string[], owner: AccountIds | undefined): Promise<string> {
  // 0755: the login user may be another account (password VM) and must reach home/ and authorized_keys.
  await fsp.mkdir(paths.dir, { recursive: true, mode: 0o755 });
  await fsp.chmod(paths.dir, 0o755);
  await fsp.mkdir(paths.home, { recursive: true, mode: 0o755 });
  if (owner) await fsp.chown(paths.home, owner.uid, owner.gid);
  if (!existsSync(paths.hostKey)) {
    await fsp.rm(`${paths.hostKey}.pub`, { force: true });
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `azsim-${vmName}`, "-f", paths.hostKey]);
  }
  await writeAuthorizedKeys(paths.authorizedKeys, authorizedKeys);
  const pub = (await fsp.readFile(`${paths.hostKey}.pub`, "utf8")).trim().split(/\s+/);
  return `${pub[0]} ${pub[1]}`;
}

/** Public keys only, so 0644: sshd reads the file with the login user's privileges. */
export async function writeAuthorizedKeys(file: string, keys: string[]): Promise<void> {
  const lines = keys.map((k) => k.trim()).filter((k) => k.length > 0);
  for (const line of lines) if (/[\r\n]/.test(line)) throw new Error("An authorized key must be a single line");
  const tmp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, lines.length > 0 ? `${lines.join("\n")}\n` : "", { mode: 0o644 });
  await fsp.chmod(tmp, 0o644);
  await fsp.rename(tmp, file);
}

/** uid/gid of a local account (via `id`, which also sees NSS accounts), or undefined if unknown. */
export async function accountIds(user: string): Promise<AccountIds | undefined> {
  try {
    const uid = Number((await run("id", ["-u", user])).stdout.trim());
    const gid = Number((await run("id", ["-g", user])).stdout.trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}
