import { spawn } from "node:child_process";
import type { PreflightItem } from "../preflight/checkConnectivity";
import { classifySshFailure } from "../ssh/sshFailure";
import { describeUntrusted } from "../ssh/untrustedText";
import type { SshInvocation } from "./sshInvocation";

/**
 * The last check of "Check Connectivity" for a VM with access and a connection profile: a real
 * `ssh … true` through the tunnel, without prompts. A failure is reported as the one-sentence cause
 * and next action (ssh/sshFailure.ts), with ssh's deciding line as evidence.
 */
export function sshLoginProbe(ssh: SshInvocation, rawVmName: string, signal?: AbortSignal): Promise<PreflightItem> {
  // The VM name comes from Azure: shown quoted and escaped, since the result reaches logs and notifications.
  const vmName = describeUntrusted(rawVmName);
  const [cmd, ...args] = ssh.argv;
  const alias = args[args.length - 1] ?? "";
  const argv = [...args.slice(0, -1), "-o", "BatchMode=yes", "-o", "ConnectTimeout=20", alias, "true"];
  return new Promise((resolve) => {
    const child = spawn(cmd ?? "ssh", argv, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...ssh.env }, signal });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-8000)));
    const done = (code: number | null, extra = ""): void => {
      if (code === 0) return resolve({ check: "sshLogin", title: "SSH sign-in", status: "ok", detail: `ssh reached ${vmName} through the Bastion tunnel and signed in.` });
      const f = classifySshFailure({ exitCode: code, stderr: `${stderr}\n${extra}`, vmName });
      resolve({ check: "sshLogin", title: "SSH sign-in", status: "fail", detail: f.evidence ? `${f.message} (ssh said: ${f.evidence})` : f.message, code: f.code });
    };
    child.once("error", (e) => done(-1, e.message));
    child.once("close", (code) => done(code));
  });
}
