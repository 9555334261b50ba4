import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { freeLocalPort } from "../../../../src/core/service/portForward";
import { run } from "./ssh";

/** A real sshd on 127.0.0.1 for one test, with its own config, host key and authorized_keys. */
export interface TestSshd {
  port: number;
  /** `<type> <base64>` of the host key. */
  hostPublicKey: string;
  stop(): Promise<void>;
}

/** Resolves when sshd reports it listens; rejects with its stderr when it exits first. */
function listening(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    const onData = (d: string): void => {
      stderr += d;
      if (stderr.includes(`Server listening on 127.0.0.1 port ${port}`)) {
        child.stderr?.off("data", onData);
        child.off("exit", onExit);
        resolve();
      }
    };
    const onExit = (): void => reject(new Error(`sshd exited: ${stderr}`));
    child.stderr?.setEncoding("utf8").on("data", onData);
    child.once("exit", onExit);
  });
}

/**
 * Starts sshd in `dir` (host key generated there unless `hostKeyFile` is given). sshd insists on its
 * privilege separation folder, which a fresh Debian machine creates only when the service starts.
 */
export async function startSshd(dir: string, authorizedKeys: string, options: { hostKeyFile?: string } = {}): Promise<TestSshd> {
  if (!existsSync("/run/sshd") && process.getuid?.() === 0) mkdirSync("/run/sshd", { mode: 0o755, recursive: true });
  const hostKeyFile = options.hostKeyFile ?? path.join(dir, "host_key");
  if (!existsSync(hostKeyFile)) {
    const r = await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKeyFile]);
    if (r.code !== 0) throw new Error(r.stderr);
  }
  const hostPublicKey = (await run("ssh-keygen", ["-y", "-f", hostKeyFile])).stdout.trim();
  const authorizedKeysFile = path.join(dir, "authorized_keys");
  writeFileSync(authorizedKeysFile, authorizedKeys, { mode: 0o600 });
  for (let attempt = 1; ; attempt++) {
    const port = await freeLocalPort();
    const configFile = path.join(dir, "sshd_config");
    writeFileSync(
      configFile,
      [
        `ListenAddress 127.0.0.1:${port}`,
        `HostKey "${hostKeyFile}"`,
        `AuthorizedKeysFile "${authorizedKeysFile}"`,
        "PidFile none",
        "UsePAM no",
        "StrictModes no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "LogLevel VERBOSE",
        "",
      ].join("\n"),
    );
    const child = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    try {
      await listening(child, port);
    } catch (e) {
      child.kill("SIGKILL");
      if (attempt < 5 && String(e).includes("Address already in use")) continue;
      throw e;
    }
    // Keep draining stderr so sshd never blocks on a full pipe.
    child.stderr?.resume();
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    return {
      port,
      hostPublicKey,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        await exited;
      },
    };
  }
}
