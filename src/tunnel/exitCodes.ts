import { isJitError } from "../core/errors";

/**
 * Exit codes of `tunnel.js`, documented in `--help`. ssh reports a ProxyCommand failure as its own
 * exit 255 and shows our one-line stderr message; the extension reads these codes when it runs the
 * tunnel itself (port mode) or diagnoses a failed connection.
 */
export const ExitCode = {
  /** The connection ended normally (either side closed, or ssh hung up), or the forwarder was stopped. */
  ok: 0,
  /** A bug or an unexpected failure. */
  internal: 1,
  /** Bad arguments or environment. */
  usage: 2,
  /** No VS Code window runs Azure JIT Connect (or its runtime folder is unsafe). */
  brokerUnavailable: 3,
  /** Access refused: no active access, VM unknown or stopped, the Bastion said no. */
  refused: 4,
  /** The Bastion could not be reached (network, TLS, timeout). */
  unreachable: 5,
  /** The connection dropped mid-session (Bastion or VM gone, keepalive timeout, local side broke). */
  dropped: 6,
  /** Port mode: the local port cannot be used. */
  localPortUnavailable: 7,
  /** Stopped by SIGINT / SIGTERM (128 + signal number), as shells do. */
  interrupted: 130,
  terminated: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code for an error that stopped the tunnel before or while it was setting up. */
export function exitCodeForError(e: unknown): ExitCodeValue {
  if (!isJitError(e)) return ExitCode.internal;
  switch (e.code) {
    case "BrokerUnavailable":
    case "PrivateFolderUnsafe":
      return ExitCode.brokerUnavailable;
    case "NetworkError":
    case "Timeout":
    case "TunnelFailed":
      return ExitCode.unreachable;
    case "LocalPortUnavailable":
      return ExitCode.localPortUnavailable;
    case "InvalidInput":
    case "InvalidSetting":
      return ExitCode.usage;
    case "Internal":
      return ExitCode.internal;
    default:
      return ExitCode.refused;
  }
}
