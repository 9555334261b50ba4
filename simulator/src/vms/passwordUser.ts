import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { isAlive } from "./processTree";

const run = promisify(execFile);

/**
 * Password login on a simulated VM.
 *
 * sshd checks passwords against the OS account database, so a password VM needs a real account
 * with a known password. When the simulator runs as root it maintains one dedicated account,
 * `azsimpw` (home /home/azsimpw, shell /bin/sh, no extra groups, so no sudo), and sets a fresh
 * random password for it once per simulator process, through `chpasswd` on stdin (never argv).
 * Not root: password login is unavailable and the reason says so (the control plane reports it in
 * `GET /_sim/vms`).
 *
 * Simulators may run concurrently (the test runner runs files in parallel), and the account has
 * one password: a lease in /run/azsim (tmpfs, root-only) records the current password and the pids
 * of the simulators using it. A process that finds a live holder reuses its password instead of
 * changing it under the holder's feet; otherwise it sets a fresh one.
 */
export const PASSWORD_USER = "azsimpw";

export type PasswordUserResult = { user: string; password: string } | { unavailable: string };

const STATE_DIR = "/run/azsim";
const LEASE_FILE = path.join(STATE_DIR, "password-user.json");
const LOCK_DIR = path.join(STATE_DIR, "password-user.lock");
const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 60_000;

let memo: Promise<PasswordUserResult> | undefined;

/** The password account and its password for this simulator process (created on first call). */
export function ensurePasswordUser(): Promise<PasswordUserResult> {
  memo ??= ensure().catch((e: unknown) => ({ unavailable: `Could not prepare the password account: ${e instanceof Error ? e.message : String(e)}` }));
  return memo;
}

async function ensure(): Promise<PasswordUserResult> {
  if (process.platform !== "linux") return { unavailable: "Password login is simulated on Linux only (it needs a real OS account)." };
  if (process.getuid?.() !== 0) {
    return {
      unavailable:
        "Password login needs the simulator to run as root: sshd checks real OS passwords, so the simulator " +
        `must own an OS account (${PASSWORD_USER}) and set its password. Key-based VMs work without root.`,
    };
  }
  await fsp.mkdir(STATE_DIR, { recursive: true, mode: 0o700 });
  await fsp.chmod(STATE_DIR, 0o700);
  return withLock(async () => {
    await ensureAccount();
    const lease = await readLease();
    const liveHolders: number[] = [];
    for (const pid of lease?.holders ?? []) if (pid !== process.pid && (await isAlive(pid))) liveHolders.push(pid);
    let password = lease?.password;
    if (!password || liveHolders.length === 0) {
      password = randomBytes(18).toString("base64url");
      await setPassword(password);
    }
    await writeLease({ password, holders: [...liveHolders, process.pid] });
    return { user: PASSWORD_USER, password };
  });
}

async function ensureAccount(): Promise<void> {
  try {
    await run("id", ["-u", PASSWORD_USER]);
    return;
  } catch {
    // No such account yet.
  }
  await run("useradd", [
    "--create-home", "--home-dir", `/home/${PASSWORD_USER}`, "--shell", "/bin/sh", "--user-group",
    "--comment", "Azure JIT Connect simulator password VM", PASSWORD_USER,
  ]);
}

function setPassword(password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("chpasswd", [], { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`chpasswd failed (${code}): ${stderr.trim()}`))));
    child.stdin.end(`${PASSWORD_USER}:${password}\n`);
  });
}

interface Lease {
  password: string;
  holders: number[];
}

async function readLease(): Promise<Lease | undefined> {
  try {
    const parsed: unknown = JSON.parse(await fsp.readFile(LEASE_FILE, "utf8"));
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { password, holders } = parsed as Record<string, unknown>;
    if (typeof password !== "string" || !Array.isArray(holders)) return undefined;
    return { password, holders: holders.filter((h): h is number => typeof h === "number") };
  } catch {
    return undefined;
  }
}

async function writeLease(lease: Lease): Promise<void> {
  const tmp = `${LEASE_FILE}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, JSON.stringify(lease), { mode: 0o600 });
  await fsp.rename(tmp, LEASE_FILE);
}

/** A cross-process lock: mkdir is atomic. A lock older than LOCK_STALE_MS belonged to a dead process. */
async function withLock<T>(body: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await fsp.mkdir(LOCK_DIR, { mode: 0o700 });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const st = await fsp.stat(LOCK_DIR).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > LOCK_STALE_MS) await fsp.rm(LOCK_DIR, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${LOCK_DIR}`);
      await sleep(25);
    }
  }
  try {
    return await body();
  } finally {
    await fsp.rm(LOCK_DIR, { recursive: true, force: true });
  }
}
