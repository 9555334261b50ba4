import { type ErrorCode, JitError } from "../errors";
import { redact } from "../redact";

/**
 * Why an `ssh` through our tunnel failed, in one sentence naming the cause and the next action.
 * ssh reports every failure of its own, of the ProxyCommand and of the server as exit 255, so the
 * cause is read from its stderr: OpenSSH's own messages, and the one line the tunnel writes before
 * it exits (prefixed `azure-jit-connect:`; its exit codes are in src/tunnel/exitCodes.ts: 3 no
 * broker, 4 refused, 5 Bastion unreachable, 6 dropped). Where the tunnel's exit code is known (port
 * mode, diagnostics), it decides when the text does not.
 */

export type SshFailureCause =
  | "hostKeyChanged"
  | "permissionDenied"
  | "connectionRefused"
  | "timeout"
  | "jitMissing"
  | "bastionRefused"
  | "bastionUnreachable"
  | "brokerGone"
  | "dropped"
  | "sshMissing"
  | "unknown";

export interface SshFailure {
  cause: SshFailureCause;
  code: ErrorCode;
  /** One sentence: the cause, then what to do. */
  message: string;
  /** The stderr line the decision rests on (redacted), for the log. */
  evidence?: string;
}

const TUNNEL_PREFIX = "azure-jit-connect";

interface Rule {
  cause: SshFailureCause;
  code: ErrorCode;
  test: RegExp;
  /** Only lines written by the tunnel count (its messages quote Azure's text, which could mimic ssh's). */
  tunnelOnly?: boolean;
  message: (vm: string) => string;
}

// Order matters: the tunnel's own explanation wins over ssh's generic follow-up lines
// ("kex_exchange_identification: Connection closed by remote host").
const RULES: readonly Rule[] = [
  { cause: "brokerGone", code: "BrokerUnavailable", tunnelOnly: true, test: /Cannot talk to Azure JIT Connect|not running in any VS Code window|No VS Code window/i, message: (vm) => `The connection to ${vm} needs a VS Code window running Azure JIT Connect, and none answered: open VS Code (signed in), then connect again.` },
  { cause: "jitMissing", code: "BastionRefused", tunnelOnly: true, test: /network security group|JIT (request|window|access)|just-in-time/i, message: (vm) => `The Bastion could not reach port 22 of ${vm} because no JIT window is open for it (it expired or was never requested): request access again, then connect.` },
  { cause: "connectionRefused", code: "TunnelFailed", tunnelOnly: true, test: /Connection refused|nothing listens/i, message: (vm) => `Nothing answered on port 22 of ${vm} (the VM is still starting, or its SSH server is stopped): wait a minute and connect again, or check the VM in the portal.` },
  { cause: "bastionRefused", code: "BastionRefused", tunnelOnly: true, test: /Bastion (refused|could not open)|refused/i, message: (vm) => `The Bastion refused the tunnel to ${vm} (your role may have ended or the Bastion does not allow native-client tunnels): run “Check Connectivity” for ${vm}, then request access again if it says so.` },
  { cause: "bastionUnreachable", code: "NetworkError", tunnelOnly: true, test: /could not be reached|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|TLS|certificate/i, message: (vm) => `The Bastion for ${vm} could not be reached from this machine (network, proxy or TLS): check your connection and proxy, then connect again.` },
  { cause: "dropped", code: "TunnelFailed", tunnelOnly: true, test: /dropped|closed|ended/i, message: (vm) => `The tunnel to ${vm} dropped (the Bastion or the VM went away): connect again; if it keeps dropping, run “Check Connectivity”.` },
  { cause: "hostKeyChanged", code: "HostKeyChanged", test: /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/i, message: (vm) => `The host key of ${vm} is not the one pinned at the first connection (the VM was rebuilt, or something is in between): if the VM was rebuilt, run “Forget Host Key” for it and connect again; otherwise ask its owner.` },
  { cause: "permissionDenied", code: "SecretUnusable", test: /Permission denied|Too many authentication failures|Authentication failed/i, message: (vm) => `${vm} refused the credential (wrong key, password or user name): check the VM's azure-jit-connect.secret and azure-jit-connect.username tags, or choose another credential.` },
  { cause: "connectionRefused", code: "TunnelFailed", test: /Connection refused/i, message: (vm) => `Nothing answered on port 22 of ${vm} (the VM is still starting, or its SSH server is stopped): wait a minute and connect again, or check the VM in the portal.` },
  { cause: "timeout", code: "Timeout", test: /timed out|Connection timed out|Operation timed out/i, message: (vm) => `The connection to ${vm} timed out: check that the VM is running and that access is still granted, then connect again.` },
  { cause: "sshMissing", code: "SshClientMissing", test: /ENOENT|command not found|not recognized as an internal/i, message: () => "No OpenSSH client (ssh) was found: install it, or set azureJit.sshPath, then connect again." },
];

const BY_EXIT_CODE: Partial<Record<number, SshFailureCause>> = { 3: "brokerGone", 4: "bastionRefused", 5: "bastionUnreachable", 6: "dropped" };

/**
 * Classifies a failed ssh (or tunnel) run. `vmName` is shown as given: pass it through the
 * untrusted-text helpers first when it comes from Azure.
 */
export function classifySshFailure(input: { exitCode: number | null; stderr: string; vmName: string; tunnelExitCode?: number }): SshFailure {
  // OpenSSH frames its loudest warnings in "@" borders ("@    WARNING: … CHANGED!     @"): the words are the evidence.
  const lines = input.stderr.split(/\r?\n/).map((l) => l.trim().replace(/^@+\s*|\s*@+$/g, "")).filter((l) => l.length > 0);
  const tunnelLines = lines.filter((l) => l.startsWith(TUNNEL_PREFIX));
  for (const rule of RULES) {
    const candidates = rule.tunnelOnly ? tunnelLines : lines.filter((l) => !l.startsWith(TUNNEL_PREFIX));
    const hit = candidates.find((l) => rule.test.test(l));
    if (hit) return { cause: rule.cause, code: rule.code, message: rule.message(input.vmName), evidence: redact(hit) };
  }
  const byCode = input.tunnelExitCode !== undefined ? BY_EXIT_CODE[input.tunnelExitCode] : undefined;
  const rule = byCode ? RULES.find((r) => r.cause === byCode) : undefined;
  if (rule) return { cause: rule.cause, code: rule.code, message: rule.message(input.vmName), evidence: tunnelLines[tunnelLines.length - 1] };
  const last = lines[lines.length - 1];
  return {
    cause: "unknown",
    code: "TunnelFailed",
    message: `ssh to ${input.vmName} failed (exit ${input.exitCode ?? "?"})${last ? `: ${redact(last)}` : ""}. Run “Check Connectivity” for ${input.vmName} to find the cause.`,
    evidence: last ? redact(last) : undefined,
  };
}

/** The JitError for a failed ssh run, carrying the classification. */
export function sshFailureError(failure: SshFailure, cause?: unknown): JitError {
  return new JitError(failure.code, failure.message, { cause, details: { sshFailure: failure.cause, evidence: failure.evidence } });
}
