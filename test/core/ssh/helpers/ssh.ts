import { spawn } from "node:child_process";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a real OpenSSH tool with a controlled environment: no agent (so only the files named in the
 * config are used) and the given HOME. stdin is closed so nothing can prompt.
 */
export function run(program: string, args: readonly string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, SSH_AUTH_SOCK: undefined, SSH_ASKPASS: undefined, DISPLAY: undefined, ...env };
    for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
    const child = spawn(program, [...args], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** `ssh -G -F <file> <host>` as a map of lower-case keyword → values; fails the test on a config error. */
export async function sshG(configFile: string, host: string): Promise<{ map: Map<string, string[]>; lines: string[] }> {
  const r = await run("ssh", ["-F", configFile, "-G", host]);
  if (r.code !== 0) throw new Error(`ssh -G failed (${String(r.code)}): ${r.stderr}`);
  const lines = r.stdout.split("\n").filter((l) => l.length > 0);
  const map = new Map<string, string[]>();
  for (const line of lines) {
    const i = line.indexOf(" ");
    const key = line.slice(0, i);
    map.set(key, [...(map.get(key) ?? []), line.slice(i + 1)]);
  }
  return { map, lines };
}

/** Generates a key pair with the real ssh-keygen; `extra` adds options such as `-m PEM`. */
export async function sshKeygen(file: string, type: string, extra: readonly string[] = [], passphrase = ""): Promise<void> {
  const r = await run("ssh-keygen", ["-q", "-t", type, "-N", passphrase, "-C", "test-key", ...extra, "-f", file]);
  if (r.code !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}
