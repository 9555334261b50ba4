/**
 * Helpers for tests that talk to simulated VMs with the real OpenSSH client: private temp folders,
 * key and known_hosts files, and `runSsh`, which hashes what it receives so that large transfers
 * can be checked without holding them in memory.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** A 0700 temp folder; remove it with `fsp.rm(dir, { recursive: true, force: true })`. */
export async function makePrivateTempDir(prefix: string): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), prefix));
  await fsp.chmod(dir, 0o700);
  return dir;
}

/** Writes `content` to `dir/name` with mode 0600 and returns the path. */
export async function writePrivateFile(dir: string, name: string, content: string): Promise<string> {
  const file = path.join(dir, name);
  await fsp.writeFile(file, content, { mode: 0o600 });
  await fsp.chmod(file, 0o600);
  return file;
}

/** A known_hosts file that pins `hostPublicKey` under `alias` (used with `-o HostKeyAlias=alias`). */
export async function writeKnownHosts(dir: string, alias: string, hostPublicKey: string): Promise<string> {
  return writePrivateFile(dir, `known_hosts-${alias}`, `${alias} ${hostPublicKey}\n`);
}

export interface SshOptions {
  user: string;
  /** 127.0.0.1 port of the VM; ignored with `proxyCommand` (ssh still needs a host name). */
  port?: number;
  knownHostsFile: string;
  hostKeyAlias: string;
  command: string;
  identityFile?: string;
  proxyCommand?: string;
  /** Data for the remote command's stdin (closed after it); an empty stdin otherwise. */
  stdin?: Buffer | Readable;
  /** Password login through SSH_ASKPASS: the path of an executable askpass script. */
  askpassScript?: string;
  /** Called once the ssh process exists (e.g. to kill it mid-transfer). */
  onSpawn?: (pid: number) => void;
}

export interface SshResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout as text when it is small (≤ 1 MiB), else "". */
  stdout: string;
  stdoutBytes: number;
  stdoutSha256: string;
  stderr: string;
}

/** Runs one `ssh` command with no user or system configuration in play. */
export function runSsh(options: SshOptions): Promise<SshResult> {
  const args = [
    "-F", "/dev/null",
    "-o", `UserKnownHostsFile=${options.knownHostsFile}`,
    "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", `HostKeyAlias=${options.hostKeyAlias}`,
    "-o", "StrictHostKeyChecking=yes",
    "-o", "ConnectTimeout=20",
    "-o", "ServerAliveInterval=0",
    "-o", "LogLevel=ERROR",
  ];
  if (options.askpassScript) {
    args.push("-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1");
  } else {
    args.push("-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "PreferredAuthentications=publickey");
  }
  if (options.identityFile) args.push("-i", options.identityFile);
  if (options.proxyCommand) args.push("-o", `ProxyCommand=${options.proxyCommand}`);
  if (options.port !== undefined) args.push("-p", String(options.port));
  args.push(`${options.user}@127.0.0.1`, options.command);

  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  if (process.env.NODE_EXTRA_CA_CERTS) env.NODE_EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;
  if (options.askpassScript) {
    env.SSH_ASKPASS = options.askpassScript;
    env.SSH_ASKPASS_REQUIRE = "force";
  }
  const child = spawn("ssh", args, { cwd: REPO_ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
  if (child.pid !== undefined) options.onSpawn?.(child.pid);

  return collectSshRun(child, options.stdin);
}

/**
 * Feeds `stdin` to a spawned ssh (a buffer, a stream, or nothing: closed at once) and collects its
 * exit, stderr and stdout (hashed as it comes; kept as text only when small, so gigabytes can flow).
 */
export function collectSshRun(child: ChildProcessWithoutNullStreams, stdin: Buffer | Readable | undefined, onStdout?: (chunk: Buffer) => void): Promise<SshResult> {
  const hash = createHash("sha256");
  const small: Buffer[] = [];
  let bytes = 0;
  child.stdout.on("data", (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
    if (bytes <= 1024 * 1024) small.push(chunk);
    onStdout?.(chunk);
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on("error", () => undefined);
  if (stdin === undefined) child.stdin.end();
  else if (Buffer.isBuffer(stdin)) child.stdin.end(stdin);
  else pipeline(stdin, child.stdin).catch(() => undefined);

  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({
        code,
        signal,
        stdout: bytes <= 1024 * 1024 ? Buffer.concat(small).toString() : "",
        stdoutBytes: bytes,
        stdoutSha256: hash.digest("hex"),
        stderr,
      }),
    );
  });
}

/** An askpass script that prints the content of `passwordFile` (0600): the password never appears in argv or env. */
export async function writeAskpassScript(dir: string, passwordFile: string): Promise<string> {
  const script = path.join(dir, "askpass.sh");
  await fsp.writeFile(script, `#!/bin/sh\ncat '${passwordFile.replaceAll("'", "'\\''")}'\n`, { mode: 0o700 });
  return script;
}

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Polls `condition` until it is true; rejects with `what` after `timeoutMs` (a hang guard, not a speed check). */
export async function waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
