import { promises as fsp } from "node:fs";
import * as net from "node:net";
import {
  BROKER_MAX_LINE_BYTES,
  BROKER_PROTOCOL_VERSION,
  BrokerProtocolCodes,
  type BrokerFailure,
  type BrokerOperation,
  type BrokerOperations,
  type BrokerReply,
  type BrokerRequest,
  encodeBrokerLine,
  parseBrokerReply,
} from "../../shared/brokerProtocol";
import { LineSplitter } from "../../shared/lineSplitter";
import { type BastionSession, normalizeBastionEndpoint } from "../bastion/bastionSession";
import { leaseSession } from "../bastion/sessionLease";
import { CancellationError, throwIfAborted } from "../cancellation";
import { type ErrorCode, errorMessage, JitError } from "../errors";
import { type Logger, nullLogger } from "../logger";
import { brokerRuntimeDirs, listBrokerEndpoints, runtimeDirProblem } from "./runtimeDir";

/**
 * The tunnel's side of the broker: finds a live broker (one per VS Code window, newest first),
 * asks it, and turns its answer into a result or a `JitError` a user can act on.
 */
export interface BrokerClientOptions {
  /** Folders to look in (default `brokerRuntimeDirs()`). */
  runtimeDirs?: string[];
  /** Give up on one broker after this long (default 70 s; the broker's own deadline is 60 s). */
  timeoutMs?: number;
  /**
   * When no broker is running, keep looking this long before failing (default 0). The tunnel waits
   * a few seconds: Remote-SSH reconnects while a reloading window's extension host starts.
   */
  waitForBrokerMs?: number;
  logger?: Logger;
  /** Internal: successful connections are pushed here instead of being closed. */
  holdConnection?: net.Socket[];
}

/** How often to look again for a broker while waiting for one. */
const POLL_MS = 200;
/** Connecting to a Unix socket is instant or impossible; a broker that does not accept is dead. */
const CONNECT_TIMEOUT_MS = 3_000;

/**
 * Asks a broker for a fresh Bastion session for `host:port`. The connection stays open (without
 * keeping the process alive) until `releaseSession(session)`: the broker deletes the session when
 * it closes, so a tunnel that dies does not leave it on the Bastion.
 */
export async function openSessionThroughBroker(host: string, port: number, options: BrokerClientOptions = {}, signal?: AbortSignal): Promise<BastionSession> {
  const held: net.Socket[] = [];
  try {
    const { session } = await askBroker("openSession", { host, port }, notRunning(`run Request access for ${host}`), { ...options, holdConnection: held }, signal);
    checkSessionAddresses(session);
    const conn = held.pop();
    if (conn) {
      leaseSession(session, (deleted) => {
        // Said before closing (a Unix socket delivers it first): the broker then skips its own DELETE.
        if (deleted) conn.end(encodeBrokerLine({ v: BROKER_PROTOCOL_VERSION, id: REQUEST_ID + 1, op: "sessionDeleted" }));
        else conn.destroy();
      });
    }
    return session;
  } finally {
    for (const conn of held) conn.destroy();
  }
}

/** Asks a broker for the password of a password VM. */
export async function getPasswordThroughBroker(host: string, options: BrokerClientOptions = {}, signal?: AbortSignal): Promise<string> {
  const { password } = await askBroker("getPassword", { host }, notRunning(`run Request access for ${host}`), options, signal);
  return password;
}

/**
 * The session's token travels in its WebSocket URL and DELETE path: both must be TLS, to the
 * Bastion that minted it. Anything else is a configuration problem, said as such (not a crash).
 */
function checkSessionAddresses(session: BastionSession): void {
  const endpoint = new URL(normalizeBastionEndpoint(session.endpoint));
  let socket: URL | undefined;
  try {
    socket = new URL(session.websocketUrl);
  } catch {
    socket = undefined;
  }
  if (socket?.protocol !== "wss:" || socket.host !== endpoint.host) {
    throw new JitError("InvalidSetting", `VS Code handed over a Bastion session whose WebSocket is not wss:// on ${endpoint.host}; not using it. Check the Bastion's address (dnsName) in Azure.`);
  }
}

function notRunning(action: string): string {
  return `Azure JIT Connect is not running in any VS Code window: open VS Code and ${action}`;
}

/**
 * Sends one request to the newest live broker; moves on to older ones when a broker is dead (its
 * socket is removed), speaks another protocol version, or refuses (another window may know the
 * VM). Throws the newest broker's refusal when none succeeds, `BrokerUnavailable` when none runs.
 */
export async function askBroker<K extends BrokerOperation>(
  op: K,
  params: BrokerOperations[K]["params"],
  unavailableMessage: string,
  options: BrokerClientOptions = {},
  signal?: AbortSignal,
): Promise<BrokerOperations[K]["result"]> {
  const logger = options.logger ?? nullLogger;
  const dirs = options.runtimeDirs ?? brokerRuntimeDirs();
  const waitUntil = Date.now() + (options.waitForBrokerMs ?? 0);
  for (;;) {
    throwIfAborted(signal);
    let refusal: BrokerFailure | undefined;
    let otherError: Error | undefined;
    const unsafe: string[] = [];
    for (const dir of dirs) {
      const problem = await runtimeDirProblem(dir);
      if (problem) {
        if (!problem.endsWith("does not exist")) unsafe.push(problem);
        continue;
      }
      for (const endpoint of await listBrokerEndpoints(dir)) {
        let reply: BrokerReply<K>;
        try {
          reply = await requestOnce(endpoint.path, op, params, options.timeoutMs ?? 70_000, signal, options.holdConnection);
        } catch (e) {
          if (e instanceof CancellationError) throw e;
          const code = (e as NodeJS.ErrnoException).code;
          if (code === "ECONNREFUSED") {
            // Nobody listens: an extension host that died without cleaning up.
            logger.debug(`broker ${endpoint.pid}: dead, removing its socket`);
            await fsp.rm(endpoint.path, { force: true }).catch(() => undefined);
          } else if (code !== "ENOENT") {
            logger.debug(`broker ${endpoint.pid}: ${errorMessage(e)}`);
            otherError ??= e instanceof Error ? e : new Error(errorMessage(e));
          }
          continue;
        }
        if (reply.ok) return reply;
        logger.debug(`broker ${endpoint.pid}: ${reply.code}: ${reply.message}`);
        if (reply.code !== BrokerProtocolCodes.unsupportedVersion) refusal ??= reply;
      }
    }
    if (refusal) throw new JitError(toErrorCode(refusal.code), refusal.message, { details: { brokerCode: refusal.code } });
    if (otherError) throw otherError instanceof JitError ? otherError : new JitError("BrokerUnavailable", `Cannot talk to Azure JIT Connect in VS Code: ${errorMessage(otherError)}`, { cause: otherError });
    if (unsafe.length > 0) throw new JitError("PrivateFolderUnsafe", `Not using the broker folder: ${unsafe.join("; ")}`);
    if (Date.now() >= waitUntil) throw new JitError("BrokerUnavailable", unavailableMessage);
    await new Promise<void>((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Every request gets its own connection, so a constant id is enough to match the reply. */
const REQUEST_ID = 1;

/** One request on a fresh connection. Rejects with the raw socket error when connecting fails. */
function requestOnce<K extends BrokerOperation>(
  socketPath: string,
  op: K,
  params: BrokerOperations[K]["params"],
  timeoutMs: number,
  signal: AbortSignal | undefined,
  hold?: net.Socket[],
): Promise<BrokerReply<K>> {
  const id = REQUEST_ID;
  // The union of request shapes cannot be built generically from `op`; this object is that union's member for K.
  const request = { v: BROKER_PROTOCOL_VERSION, id, op, ...params } as BrokerRequest;
  return new Promise<BrokerReply<K>>((resolve, reject) => {
    let settled = false;
    let connected = false;
    const conn = net.connect({ path: socketPath });
    const finish = (error: Error | undefined, reply?: BrokerReply<K>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(replyTimer);
      signal?.removeEventListener("abort", onAbort);
      if (hold && reply?.ok) {
        conn.removeAllListeners("data");
        conn.on("error", () => undefined);
        conn.unref();
        hold.push(conn);
      } else conn.destroy();
      if (error) reject(error);
      else if (reply) resolve(reply);
    };
    const onAbort = (): void => finish(new CancellationError());
    signal?.addEventListener("abort", onAbort, { once: true });
    const connectTimer = setTimeout(() => {
      if (!connected) finish(Object.assign(new Error("the broker does not accept connections"), { code: "ECONNREFUSED" }));
    }, CONNECT_TIMEOUT_MS);
    const replyTimer = setTimeout(
      () => finish(new JitError("Timeout", `VS Code did not answer within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    const splitter = new LineSplitter(BROKER_MAX_LINE_BYTES);
    conn.on("connect", () => {
      connected = true;
      conn.write(encodeBrokerLine(request));
    });
    conn.on("data", (chunk: Buffer) => {
      const { lines, overflow } = splitter.push(chunk);
      for (const line of lines) {
        const parsed = parseBrokerReply(op, line);
        if (!parsed.ok) return finish(new JitError("TunnelFailed", `VS Code answered with a malformed message: ${parsed.message}`));
        if (parsed.value.id === id || parsed.value.id === null) return finish(undefined, parsed.value);
      }
      if (overflow) finish(new JitError("TunnelFailed", "VS Code answered with an oversized message"));
    });
    conn.on("error", (e) => finish(e));
    conn.on("close", () => finish(connected ? new JitError("TunnelFailed", "VS Code closed the connection without answering") : new Error("closed")));
  });
}

/** Product codes a broker may send; anything else becomes `TunnelFailed` (the original code stays in details). */
const KNOWN_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  "InvalidSetting",
  "InvalidInput",
  "NotSignedIn",
  "ConditionalAccessBlocked",
  "MfaRequired",
  "DeviceNotCompliant",
  "UntrustedLocation",
  "AuthenticationFailed",
  "StepUpRequired",
  "VmNotFound",
  "VmNotRunning",
  "VmIsWindows",
  "NoEligibleRole",
  "NoJitPolicy",
  "JitPortNotAllowed",
  "NoBastion",
  "BastionTunnelingDisabled",
  "NoCredentialSource",
  "RoleNotActive",
  "JitRequestFailed",
  "JitForbidden",
  "SecretNotFound",
  "SecretForbidden",
  "SecretUnusable",
  "VaultNotAllowed",
  "BastionNotAllowed",
  "BastionRefused",
  "TunnelFailed",
  "BrokerUnavailable",
  "Throttled",
  "AzureRequestFailed",
  "Forbidden",
  "NetworkError",
  "Timeout",
  "Internal",
]);

function isErrorCode(code: string): code is ErrorCode {
  return KNOWN_CODES.has(code);
}

function toErrorCode(code: string): ErrorCode {
  return isErrorCode(code) ? code : "TunnelFailed";
}
