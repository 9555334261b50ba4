import { execFile } from "node:child_process";

/**
 * Finds the local OpenSSH client by running `ssh -V` (it prints its version on stderr and exits 0).
 * Resolves the version line, or undefined when there is no usable `ssh` on PATH.
 */
export function findSshClient(command = "ssh", timeoutMs = 5_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, ["-V"], { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      if (error) return resolve(undefined);
      const line = `${stderr}${stdout}`.split(/\r?\n/).find((l) => l.trim().length > 0);
      resolve(line?.trim() || "ssh");
    });
  });
}
