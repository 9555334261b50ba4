import * as net from "node:net";
import { type Duplex } from "node:stream";
import { CLOSE } from "./websocket/frameParser";
import { TunnelWebSocket } from "./websocket/tunnelWebSocket";

/**
 * The Bastion data path: one WebSocket ⇄ one TCP connection to the VM, raw bytes in binary
 * messages, no header or multiplexing (§1.5). It sits in the benchmark path, so bytes are never
 * copied (client payload is unmasked in place and written as slices; VM data goes out as is) and
 * nothing is logged per chunk. Backpressure both ways:
 * - VM → client: the TCP socket is paused while more than WS_HIGH_WATER bytes wait on the
 *   WebSocket's socket, resumed when that queue drains;
 * - client → VM: the WebSocket's socket is paused when a TCP write returns false, resumed on 'drain'.
 */
const WS_HIGH_WATER = 1024 * 1024;
/** After the client is gone, the VM gets this long to take the data still queued for it. */
const TCP_FLUSH_GRACE_MS = 30_000;

export interface RelayOptions {
  /** The upgraded socket, after the 101 answer. */
  socket: Duplex;
  /** Bytes that came with the upgrade request. */
  head: Buffer;
  host: string;
  port: number;
  /** Fault injection: cut both legs abruptly rather than let more than this many bytes (both directions) through. */
  dropAfterBytes?: number;
  /** Called once, when both the WebSocket and the TCP connection are closed. */
  onEnd: () => void;
}

export interface Relay {
  /** Ends the relay from the Bastion side (session deleted): close frame to the client, TCP closed. */
  close(reason: string): void;
  /** Abrupt end (server shutdown, fault): no close handshake. */
  terminate(): void;
}

export function startRelay(options: RelayOptions): Relay {
  const { dropAfterBytes } = options;
  const tcp = net.connect({ host: options.host, port: options.port, noDelay: true });
  let relayed = 0;
  let wsClosed = false;
  let tcpClosed = false;
  let ended = false;
  let tcpConnected = false;

  const finishIfDone = (): void => {
    if (wsClosed && tcpClosed && !ended) {
      ended = true;
      options.onEnd();
    }
  };

  /** True when the fault budget allows `n` more bytes; otherwise cuts the relay. */
  const withinBudget = (n: number): boolean => {
    if (dropAfterBytes === undefined) return true;
    relayed += n;
    if (relayed <= dropAfterBytes) return true;
    ws.terminate();
    tcp.destroy();
    return false;
  };

  const ws: TunnelWebSocket = new TunnelWebSocket(options.socket, {
    // client → VM
    binary(chunk) {
      if (withinBudget(chunk.length) && !tcp.write(chunk)) ws.pause();
    },
    drain() {
      if (tcp.isPaused() && ws.bufferedAmount <= WS_HIGH_WATER) tcp.resume();
    },
    closed() {
      wsClosed = true;
      if (!tcp.destroyed) {
        // Flush what the client sent before it closed, then FIN; nothing more will be read.
        tcp.end();
        tcp.once("finish", () => tcp.destroy());
        setTimeout(() => tcp.destroy(), TCP_FLUSH_GRACE_MS).unref();
      }
      finishIfDone();
    },
  });
  tcp.on("drain", () => ws.resume());

  // VM → client
  tcp.on("connect", () => (tcpConnected = true));
  tcp.on("data", (chunk: Buffer) => {
    if (!withinBudget(chunk.length)) return;
    ws.send(chunk);
    if (ws.bufferedAmount > WS_HIGH_WATER) tcp.pause();
  });
  // The VM closed its side: a normal end of the tunnel. Queued data goes out before the close frame.
  tcp.on("end", () => ws.close(CLOSE.normal));
  tcp.on("error", (err: NodeJS.ErrnoException) => {
    const what = err.code ?? err.message;
    ws.close(CLOSE.internalError, tcpConnected ? `Connection to the VM failed: ${what}` : `Cannot reach the VM: ${what}`);
  });
  tcp.on("close", () => {
    tcpClosed = true;
    ws.close(CLOSE.internalError, "Connection to the VM closed");
    finishIfDone();
  });

  // Client bytes that arrived with the upgrade (the SSH banner may) go to the VM once connected:
  // net.Socket queues writes made while connecting.
  ws.feed(options.head);

  return {
    close(reason) {
      ws.close(CLOSE.normal, reason);
      tcp.destroy();
    },
    terminate() {
      ws.terminate();
      tcp.destroy();
    },
  };
}
