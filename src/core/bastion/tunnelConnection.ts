import type * as https from "node:https";
import { performance } from "node:perf_hooks";
import type { Readable, Writable } from "node:stream";
import { throwIfAborted } from "../cancellation";
import { type Logger, nullLogger } from "../logger";
import type { BastionSession } from "./bastionSession";
import { type Relay, type RelayOptions, type RelayResult, startRelay } from "./relay";
import { releaseSession } from "./sessionLease";
import { type DeleteOutcome, deleteSession } from "./tokenApi";
import { connectWebSocket } from "./webSocketConnect";

export interface TunnelConnectionOptions {
  /** "vm-01:22": for messages and logs. */
  target: string;
  /** Mints a fresh session for this connection (through the broker, or `requestSession` in-process). */
  openSession(signal: AbortSignal | undefined): Promise<BastionSession>;
  input: Readable;
  output: Writable;
  /** Used for the WebSocket's TLS connection and the session DELETE (TLS session reuse). */
  agent?: https.Agent;
  relay?: Omit<RelayOptions, "signal" | "logger" | "target">;
  handshakeTimeoutMs?: number;
  logger?: Logger;
  /** Lets a caller watch byte counters while the relay runs. */
  onRelay?(relay: Relay): void;
}

export interface TunnelConnectionResult extends RelayResult {
  /** Time to get the session (broker round trip + `POST /api/tokens`). */
  sessionMs: number;
  /** Time to open the WebSocket (TLS + upgrade). */
  connectMs: number;
  deleted: DeleteOutcome;
}

/**
 * One tunnelled connection, start to end: fresh session → WebSocket → relay → `DELETE` of the
 * session, on every path (§1.6). Throws (`JitError`, or `CancellationError` on abort) only while
 * setting up; once relaying, how it ended is in the result.
 */
export async function runTunnelConnection(options: TunnelConnectionOptions, signal?: AbortSignal): Promise<TunnelConnectionResult> {
  const logger = options.logger ?? nullLogger;
  const t0 = performance.now();
  const session = await options.openSession(signal);
  const t1 = performance.now();
  const cleanup = (): Promise<DeleteOutcome> => 
    deleteSession(session.endpoint, session, { logger, agent: options.agent }).then((outcome) => {
      releaseSession(session, outcome !== "failed");
      return outcome;
    });
  let opened;
  try {
    throwIfAborted(signal);
    opened = await connectWebSocket(session.websocketUrl, { agent: options.agent, handshakeTimeoutMs: options.handshakeTimeoutMs, target: options.target }, signal);
  } catch (e) {
    await cleanup();
    throw e;
  }
  const t2 = performance.now();
  logger.debug(`tunnel to ${options.target}: session in ${(t1 - t0).toFixed(1)} ms, WebSocket open in ${(t2 - t1).toFixed(1)} ms`);
  const relay = startRelay(opened.webSocket, options.input, options.output, {
    ...options.relay,
    transport: opened.transport,
    target: options.target,
    logger,
    signal,
  });
  options.onRelay?.(relay);
  const result = await relay.done;
  const deleted = await cleanup();
  logger.debug(
    `tunnel to ${options.target}: ${result.end.kind} after ${result.durationMs} ms, ${result.bytesToRemote} B up, ${result.bytesFromRemote} B down, session ${deleted}`,
  );
  return { ...result, sessionMs: t1 - t0, connectMs: t2 - t1, deleted };
}
