import { execFile } from "node:child_process";
import { CancellationError } from "../cancellation";
import { JitError } from "../errors";

/** What a finished OpenSSH tool run returned. */
export interface ToolResult {
  /** Exit code; undefined when the process was killed by a signal. */
  code: number | undefined;
  stdout: string;
  stderr: string;
}

/**
 * Runs an OpenSSH tool (`ssh -G`, `ssh-keygen -y`, …) without a shell, with stdin closed so that it
 * can never wait for a passphrase or a confirmation. A non-zero exit is returned, not thrown: the
 * callers read stderr to explain it. A missing program is `SshClientMissing`; an abort is a
 * `CancellationError`. Never pass a secret in `args`: argv is visible to every local user.
 */
export function runSshTool(program: string, args: readonly string[], signal?: AbortSignal): Promise<ToolResult> {
  if (signal?.aborted) return Promise.reject(new CancellationError());
  return new Promise<ToolResult>((resolve, reject) => {
    const child = execFile(program, [...args], { encoding: "utf8", signal, windowsHide: true, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) {
        resolve({ code: 0, stdout, stderr });
        return;
      }
      if (error.name === "AbortError") {
        reject(new CancellationError());
        return;
      }
      const errno = (error as NodeJS.ErrnoException).code;
      if (errno === "ENOENT" || errno === "EACCES") {
        reject(
          new JitError("SshClientMissing", `Cannot run ${program} (${errno}). Install the OpenSSH client, or set remote.SSH.path to the ssh program.`, {
            cause: error,
          }),
        );
        return;
      }
      resolve({ code: typeof error.code === "number" ? error.code : undefined, stdout, stderr });
    });
    child.stdin?.end();
  });
}
