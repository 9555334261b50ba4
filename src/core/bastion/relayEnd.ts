import { errorMessage, JitError } from "../errors";

/** Why a relay ended. */
export type RelayEnd =
  /** The local side reached end of stream; we closed the WebSocket normally. */
  | { kind: "localEnded" }
  /** The Bastion closed normally (1000, 1001 or no status). */
  | { kind: "remoteClosed"; code: number; reason: string }
  /** The signal aborted. */
  | { kind: "aborted" }
  /**
   * Something broke: the local stream errored, the WebSocket dropped, keepalive timed out
   * (`TunnelFailed`), or the Bastion could not reach the VM at all (`BastionRefused`).
   */
  | { kind: "failed"; side: "local" | "remote"; error: JitError };

const NORMAL_CLOSE_CODES = new Set([1000, 1001, 1005]);
/** No close frame at all: the TCP/TLS connection went away. */
const ABNORMAL_CLOSURE = 1006;

export interface RemoteCloseFacts {
  /** "vm-01:22", for messages. */
  target: string;
  /** Bytes the VM had sent through the tunnel before the close. */
  bytesFromRemote: number;
  /** The last socket error ws reported, if any (explains a 1006). */
  lastError?: Error;
}

/**
 * What the Bastion closing the WebSocket means for the user:
 * - 1000/1001/no status: a normal end (the VM closed its side);
 * - another code before the VM sent a single byte: the Bastion could not connect (VM stopped,
 *   JIT/NSG closed), a refusal with the Bastion's reason, which the user can act on;
 * - otherwise the connection dropped mid-session (1006: the network; other codes: the Bastion's reason).
 */
export function remoteCloseEnd(code: number, reason: string, facts: RemoteCloseFacts): RelayEnd {
  if (NORMAL_CLOSE_CODES.has(code)) return { kind: "remoteClosed", code, reason };
  if (code !== ABNORMAL_CLOSURE && facts.bytesFromRemote === 0) {
    const error = new JitError("BastionRefused", `The Bastion could not open the tunnel to ${facts.target}: ${reason || `closed with code ${code}`}`, { details: { code } });
    return { kind: "failed", side: "remote", error };
  }
  const cause = facts.lastError;
  const why =
    code === ABNORMAL_CLOSURE
      ? `the connection to the Bastion was lost${cause ? ` (${errorMessage(cause)})` : ""}`
      : `the Bastion closed it (code ${code}${reason ? `: ${reason}` : ""})`;
  return { kind: "failed", side: "remote", error: new JitError("TunnelFailed", `The tunnel to ${facts.target} dropped: ${why}`, { cause, details: { code } }) };
}
