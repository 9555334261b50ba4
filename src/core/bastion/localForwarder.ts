import * as https from "node:https";
import * as net from "node:net";
import { isCancellation } from "../cancellation";
import { errorMessage, JitError } from "../errors";
import { type Logger, nullLogger } from "../logger";
import type { BastionSession } from "./bastionSession";
import type { RelayOptions } from "./relay";
import { runTunnelConnection, type TunnelConnectionResult } from "./tunnelConnection";

/** Loopback only: a forwarder on another interface would hand the VM to the whole network. */
export const FORWARDER_BIND_ADDRESS = "127.0.0.1";

export interface LocalForwarderOptions {
  /** "vm-01:22": for messages and logs. */
  target: string;
  /** Mints a fresh session for each accepted connection. */
  openSession(signal: AbortSignal): Promise<BastionSession>;
  /** 0 (default) lets the OS choose; read the result from `port`. */
  localPort?: number;
  /** Connections beyond this are refused (default 128; a Standard Bastion unit serves about 50 SSH). */
  maxConnections?: number;
  relay?: Omit<RelayOptions, "signal" | "logger" | "target">;
  handshakeTimeoutMs?: number;
  logger?: Logger;
  /** Called once per accepted connection when it is over, with its result or why it never started. */
  onConnectionEnd?(outcome: { result: TunnelConnectionResult } | { error: Error }): void;
}

export interface LocalForwarder {
  readonly address: typeof FORWARDER_BIND_ADDRESS;
  readonly port: number;
  activeConnections(): number;
  /** Stops listening, closes every connection (each deletes its session), resolves when all are done. */
  close(): Promise<void>;
}

/**
 * A local port forwarder: listens on 127.0.0.1 and tunnels each accepted connection through its own
 * Bastion session, concurrently. Runs in the tunnel process (`tunnel.js port`) or in the extension.
 */
export async function startLocalForwarder(options: LocalForwarderOptions, signal?: AbortSignal): Promise<LocalForwarder> {
  const logger = options.logger ?? nullLogger;
  const stop = new AbortController();
  const onOuterAbort = (): void => stop.abort();
  signal?.addEventListener("abort", onOuterAbort, { once: true });
  // One agent for the forwarder's lifetime: later WebSockets resume its cached TLS sessions.
  const agent = new https.Agent({ keepAlive: true, maxCachedSessions: 64 });
  const running = new Set<Promise<void>>();
  let nextId = 1;

  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) => {
    const id = nextId++;
    socket.setNoDelay(true);
    // Until the relay takes over, an error here must not crash the process.
    socket.on("error", () => undefined);
    const work = runTunnelConnection(
      {
        target: options.target,
        openSession: () => options.openSession(stop.signal),
        input: socket,
        output: socket,
        agent,
        relay: options.relay,
        handshakeTimeoutMs: options.handshakeTimeoutMs,
        logger,
      },
      stop.signal,
    ).then(
      (result) => {
        if (result.end.kind === "failed") logger.error(`connection ${id} to ${options.target}: ${result.end.error.message}`);
        options.onConnectionEnd?.({ result });
      },
      (e: unknown) => {
        if (!isCancellation(e)) logger.error(`connection ${id} to ${options.target}: ${errorMessage(e)}`);
        options.onConnectionEnd?.({ error: e instanceof Error ? e : new Error(errorMessage(e)) });
      },
    );
    const tracked = work.finally(() => {
      socket.destroy();
      running.delete(tracked);
    });
    running.add(tracked);
  });
  server.maxConnections = options.maxConnections ?? 128;

  const requested = options.localPort ?? 0;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: FORWARDER_BIND_ADDRESS, port: requested, exclusive: true }, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (e) {
    signal?.removeEventListener("abort", onOuterAbort);
    agent.destroy();
    throw listenError(e, requested);
  }
  server.on("error", (e) => logger.error(`local forwarder for ${options.target}: ${e.message}`));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : requested;
  logger.debug(`forwarding ${FORWARDER_BIND_ADDRESS}:${port} to ${options.target}`);

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      signal?.removeEventListener("abort", onOuterAbort);
      const listening = new Promise<void>((resolve) => server.close(() => resolve()));
      stop.abort();
      await Promise.all([...running]);
      await listening;
      agent.destroy();
    })();
    return closed;
  };
  if (signal?.aborted) await close();
  else signal?.addEventListener("abort", () => void close(), { once: true });

  return {
    address: FORWARDER_BIND_ADDRESS,
    port,
    activeConnections: () => running.size,
    close,
  };
}

function listenError(e: unknown, port: number): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") {
    return new JitError("LocalPortUnavailable", `Port ${port} on ${FORWARDER_BIND_ADDRESS} is already in use: choose another local port, or 0 for any free port`, { cause: e });
  }
  if (code === "EACCES") {
    return new JitError("LocalPortUnavailable", `Not allowed to listen on port ${port} on ${FORWARDER_BIND_ADDRESS} (ports below 1024 need privileges): choose another local port`, { cause: e });
  }
  return new JitError("TunnelFailed", `Cannot listen on ${FORWARDER_BIND_ADDRESS}:${port}: ${errorMessage(e)}`, { cause: e });
}
