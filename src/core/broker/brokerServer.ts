/**
 * The local broker: a tiny server in the extension host that the tunnel process (`tunnel.js stdio`,
 * `port`, `askpass`) asks for what it needs, so that no secret is ever in argv, ssh config or the
 * environment. Protocol: src/shared/brokerProtocol.ts.
 *
 * Threat model
 * - Who can reach the socket. It lives in a per-user folder that must be ours and 0700
 *   (`$XDG_RUNTIME_DIR/azure-jit-connect/` or `<tmp>/azure-jit-connect-<uid>/`, checked before use:
 *   not a symlink, owned by us), and the socket itself is 0600. Only processes running as the same
 *   user (and root) can connect. Other local users cannot connect, nor plant a socket there for the
 *   tunnel to talk to (the tunnel runs the same ownership checks). On Windows the named pipe gets
 *   the default DACL (owner, SYSTEM and Administrators full control); remote clients are a
 *   residual risk we accept there, as VS Code's own IPC pipes do.
 * - What a same-user attacker can already do. Anything running as the user can read VS Code's
 *   secret storage and token caches, attach a debugger to the extension host, read `~/.ssh`, and
 *   call the Azure APIs as the user. The broker gives such a process nothing it could not get
 *   anyway; it neither adds nor removes a boundary there, so it does not try to authenticate peers
 *   (peer-credential checks would be theatre against the same uid).
 * - Why nothing is in argv, environment or config. argv is visible to every local user (`ps`,
 *   /proc/<pid>/cmdline); the environment is inherited by every child (ssh → ProxyCommand → its
 *   children) and lands in crash reports; ssh config is a file that is synced, backed up and
 *   shared. None of them may hold the ARM token or a Bastion session. The tunnel receives only the
 *   host alias and port (public) and fetches the session over this socket at connect time.
 * - What crosses the socket, and what it allows. The ARM token never leaves the extension host: the
 *   broker itself performs `POST /api/tokens` (through the injected `BrokerHandler`). Only the
 *   resulting per-connection Bastion session crosses: a WebSocket token good for one tunnel to one
 *   VM port, only while PIM and JIT access are active (the Bastion checks the JIT rule when the
 *   WebSocket opens), deleted by the tunnel when its connection ends. The token's server-side
 *   lifetime is not documented (azure-protocols.md §1.4, UNVERIFIED); the relay it opens outlives
 *   JIT expiry like any established TCP connection through an NSG. A VM password (askpass) crosses
 *   only for password VMs, on request, and is printed by the askpass helper to ssh's pipe only.
 * - When the extension host restarts (window reload, crash) during a Remote-SSH session: tunnels
 *   already relaying hold their session and their WebSocket, so the SSH connection survives; only
 *   new connections need a broker. This broker's socket disappears (removed on close, or left
 *   behind by a crash and removed by the next broker's stale sweep or by a tunnel that finds it
 *   dead); the new extension host listens on a new socket, and the tunnel tries live sockets newest
 *   first and waits a few seconds for one to appear, which covers Remote-SSH reconnecting while the
 *   window reloads. If no window runs the extension, the tunnel fails with a message saying so.
 * - Robustness against a misbehaving client (availability only: a same-user process is not an
 *   adversary we can stop, see SECURITY.md): lines are bounded (BROKER_MAX_LINE_BYTES, then the
 *   connection is dropped); one request in flight per connection; connections are capped, and at
 *   the cap the longest-idle one makes room (or the newcomer gets a `Busy` reply saying why); idle
 *   connections time out; every handler call has a deadline and is aborted when the client leaves;
 *   a session lives only as long as the connection that asked for it.
 *   Messages that cross the socket are redacted; nothing secret is logged.
 */
import { promises as fsp } from "node:fs";
import * as net from "node:net";
import {
  BROKER_MAX_LINE_BYTES,
  BROKER_PROTOCOL_VERSION,
  BrokerProtocolCodes,
  type BrokerReply,
  type BrokerRequest,
  encodeBrokerLine,
  parseBrokerRequest,
} from "../../shared/brokerProtocol";
import { LineSplitter } from "../../shared/lineSplitter";
import type { BastionSession } from "../bastion/bastionSession";
import { deleteSession } from "../bastion/tokenApi";
import { isCancellation, raceWithSignal } from "../cancellation";
import { errorMessage, isJitError } from "../errors";
import { type Logger, nullLogger } from "../logger";
import { redact } from "../redact";
import { brokerRuntimeDirs, brokerSocketPath, ensureBrokerRuntimeDir, removeStaleBrokerSockets } from "./runtimeDir";

/**
 * What the broker asks the service for. Implementations throw `JitError`s whose messages a user can
 * act on ("No active access for vm-01: run Request access"); they cross the socket as is.
 */
export interface BrokerHandler {
  /** Mints a fresh Bastion session for `host:port` (holds the ARM token, does `POST /api/tokens`). */
  openSession(host: string, port: number, signal: AbortSignal): Promise<BastionSession>;
  /** The password of a password VM. */
  getPassword(host: string, signal: AbortSignal): Promise<string>;
}

export interface BrokerServerOptions {
  handler: BrokerHandler;
  logger?: Logger;
  /** Default: the first of `brokerRuntimeDirs()`. */
  runtimeDir?: string;
  /** Default `broker-<pid>.sock` in the runtime folder. Tests that run two brokers in one process set it. */
  socketPath?: string;
  /** Deadline of one handler call (default 60 s: a session may need a token refresh). */
  requestTimeoutMs?: number;
  /** A connection with no request in flight and no session held that sends nothing for this long is dropped (default 10 s). */
  idleTimeoutMs?: number;
  /**
   * Open connections at most (default 256; each tunnel holds one while it relays). At the cap, the
   * longest-idle connection is dropped for a newcomer; when none is idle, the newcomer is refused
   * with a `Busy` reply that says why.
   */
  maxConnections?: number;
}

export interface BrokerServer {
  readonly path: string;
  /** Requests being handled now. */
  inFlight(): number;
  /** Stops listening, removes the socket, drops clients, aborts handler calls. Idempotent. */
  close(): Promise<void>;
}

export async function startBrokerServer(options: BrokerServerOptions): Promise<BrokerServer> {
  const logger = options.logger ?? nullLogger;
  const dir = options.runtimeDir ?? brokerRuntimeDirs()[0] ?? ".";
  await ensureBrokerRuntimeDir(dir);
  const removed = await removeStaleBrokerSockets(dir);
  if (removed > 0) logger.debug(`broker: removed ${removed} stale socket(s) in ${dir}`);
  const socketPath = options.socketPath ?? brokerSocketPath(dir);
  if (process.platform !== "win32") await fsp.rm(socketPath, { force: true });

  const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 10_000;
  const maxConnections = options.maxConnections ?? 256;
  const shutdown = new AbortController();
  /** Every open connection, with what makes it busy: a request being answered, a session held. */
  const connections = new Map<net.Socket, ConnectionState>();
  let inFlight = 0;

  const server = net.createServer((conn) => {
    conn.on("error", () => undefined);
    if (connections.size >= maxConnections && !evictIdleConnection()) {
      logger.warn(`broker: refused a connection: ${connections.size} open, none idle`);
      conn.end(encodeBrokerLine(failure(null, BrokerProtocolCodes.busy, `VS Code's broker already serves ${connections.size} tunnel connections; close some tunnels and try again`)));
      conn.destroySoon();
      return;
    }
    const state: ConnectionState = { pending: 0, held: [], lastActive: Date.now() };
    connections.set(conn, state);
    conn.on("close", () => {
      connections.delete(conn);
      // The tunnel that asked is gone (ended, killed or crashed): its sessions must not stay open.
      // Not when this window closes: relaying tunnels keep their sessions across a reload.
      const sessions = state.held.splice(0);
      if (!shutdown.signal.aborted) for (const session of sessions) discardSession(session);
    });
    serveConnection(conn, state);
  });

  /** Drops the connection that has been idle longest (nothing in flight, no session held). */
  function evictIdleConnection(): boolean {
    let oldest: [net.Socket, ConnectionState] | undefined;
    for (const entry of connections) {
      const [, state] = entry;
      if (state.pending === 0 && state.held.length === 0 && (!oldest || state.lastActive < oldest[1].lastActive)) oldest = entry;
    }
    if (!oldest) return false;
    oldest[0].destroy();
    connections.delete(oldest[0]);
    return true;
  }

  function serveConnection(conn: net.Socket, state: ConnectionState): void {
    const splitter = new LineSplitter(BROKER_MAX_LINE_BYTES);
    const gone = new AbortController();
    conn.setTimeout(idleTimeoutMs, () => {
      if (state.pending === 0 && state.held.length === 0) conn.destroy();
    });
    conn.on("close", () => gone.abort());
    const reply = (message: BrokerReply): boolean => {
      if (conn.destroyed || !conn.writable) return false;
      conn.write(encodeBrokerLine(message));
      return true;
    };
    conn.on("data", (chunk: Buffer) => {
      state.lastActive = Date.now();
      const { lines, overflow } = splitter.push(chunk);
      for (const line of lines) {
        if (line.trim() === "") continue;
        const parsed = parseBrokerRequest(line);
        if (!parsed.ok) {
          reply(failure(parsed.id, BrokerProtocolCodes.badRequest, `Bad request: ${parsed.message}`));
          conn.end();
          return;
        }
        const request = parsed.value;
        if (request.v !== BROKER_PROTOCOL_VERSION) {
          reply(failure(request.id, BrokerProtocolCodes.unsupportedVersion, `This VS Code window speaks broker protocol ${BROKER_PROTOCOL_VERSION}, not ${request.v}`));
          continue;
        }
        if (request.op === "sessionDeleted") {
          state.held.splice(0);
          continue;
        }
        // One request at a time per connection (the client sends one and waits): pipelining
        // cannot multiply the sessions minted for one requester.
        if (state.pending > 0) {
          reply(failure(request.id, BrokerProtocolCodes.busy, "One request at a time on a broker connection"));
          continue;
        }
        state.pending++;
        inFlight++;
        void handle(request, gone.signal).then((answer) => {
          state.pending--;
          state.lastActive = Date.now();
          inFlight--;
          const session = answer.ok && "session" in answer ? answer.session : undefined;
          // A session nobody will use must not stay open on the Bastion; a delivered one lives as
          // long as the connection that asked for it.
          if (!reply(answer)) {
            if (session) discardSession(session);
          } else if (session) state.held.push(session);
        });
      }
      if (overflow) {
        reply(failure(null, BrokerProtocolCodes.badRequest, `Request longer than ${BROKER_MAX_LINE_BYTES} bytes`));
        conn.end();
        conn.destroySoon();
      }
    });
  }

  async function handle(request: BrokerRequest, clientGone: AbortSignal): Promise<BrokerReply> {
    const started = Date.now();
    const deadline = AbortSignal.timeout(requestTimeoutMs);
    const signal = AbortSignal.any([shutdown.signal, clientGone, deadline]);
    const label = request.op === "openSession" ? `openSession ${request.host}:${request.port}` : request.op === "getPassword" ? `getPassword ${request.host}` : request.op;
    try {
      const answer = await dispatch(request, signal);
      logger.debug(`broker: ${label} answered in ${Date.now() - started} ms`);
      return answer;
    } catch (e) {
      if (deadline.aborted && !shutdown.signal.aborted && !clientGone.aborted) {
        logger.warn(`broker: ${label} timed out after ${requestTimeoutMs} ms`);
        const within = requestTimeoutMs < 1000 ? `${requestTimeoutMs} ms` : `${Math.round(requestTimeoutMs / 1000)} s`;
        return failure(request.id, BrokerProtocolCodes.timeout, `VS Code did not get an answer for ${label.replace(/^\w+ /, "")} within ${within}`);
      }
      if (isCancellation(e)) return failure(request.id, "Cancelled", "The request was cancelled (VS Code is closing)");
      if (isJitError(e)) {
        logger.info(`broker: ${label} refused: ${e.code}: ${redact(e.message)}`);
        return failure(request.id, e.code, redact(e.message));
      }
      logger.error(`broker: ${label} failed: ${redact(errorMessage(e))}`);
      return failure(request.id, BrokerProtocolCodes.internal, `Azure JIT Connect failed to answer ${label}: ${redact(errorMessage(e))}`);
    }
  }

  async function dispatch(request: BrokerRequest, signal: AbortSignal): Promise<BrokerReply> {
    const base = { v: BROKER_PROTOCOL_VERSION, id: request.id, ok: true as const };
    switch (request.op) {
      case "ping":
        return { ...base, pong: { pid: process.pid, protocol: BROKER_PROTOCOL_VERSION, product: "azure-jit-connect" } };
      case "openSession": {
        const minted = options.handler.openSession(request.host, request.port, signal);
        const s = await raceAbort(minted, signal).catch((e: unknown) => {
          // A handler that ignored the deadline may still mint a session: close it when it comes.
          minted.then(discardSession, () => undefined);
          throw e;
        });
        return { ...base, session: { endpoint: s.endpoint, websocketUrl: s.websocketUrl, authToken: s.authToken, nodeId: s.nodeId } };
      }
      case "getPassword":
        return { ...base, password: await raceAbort(options.handler.getPassword(request.host, signal), signal) };
      case "sessionDeleted":
        return { ...base }; // handled on arrival, never dispatched
    }
  }

  function discardSession(session: BastionSession): void {
    void deleteSession(session.endpoint, session, { logger });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (e) => logger.error(`broker: ${e.message}`));
  if (process.platform !== "win32") await fsp.chmod(socketPath, 0o600);
  logger.debug(`broker: listening on ${socketPath}`);

  let closing: Promise<void> | undefined;
  return {
    path: socketPath,
    inFlight: () => inFlight,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        shutdown.abort();
        server.close(() => resolve());
        for (const conn of connections.keys()) conn.destroy();
      })),
  };
}

interface ConnectionState {
  pending: number;
  /** Sessions delivered on this connection: deleted when it closes. */
  held: BastionSession[];
  lastActive: number;
}

function failure(id: number | null, code: string, message: string): BrokerReply {
  return { v: BROKER_PROTOCOL_VERSION, id, ok: false, code, message };
}

/** A handler that ignores its signal must still not hold the reply past the deadline. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return raceWithSignal(promise, signal, (s) => s.reason);
}
