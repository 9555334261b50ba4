import * as net from "node:net";
import { type Duplex } from "node:stream";
import { CLOSE, FramePool } from "./websocket/frameParser";
import { UnmaskingBatcher } from "./websocket/simd";
import { TunnelWebSocket } from "./websocket/tunnelWebSocket";

/**
 * The Bastion data path: one WebSocket ⇄ one TCP connection to the VM, raw bytes in binary
 * messages, no header or multiplexing (§1.5). It sits in the benchmark path (on the same cores as
 * the tunnel and ssh), so each byte is handled once and nothing is logged per chunk: client data is
 * unmasked (SIMD) while it is copied into one batch per event-loop turn, written to the VM in one
 * piece; VM data is read into pooled buffers with room for the frame header in front and goes out
 * as one buffer (no copy). Backpressure both ways:
 * - VM → client: the TCP socket is paused while more than WS_HIGH_WATER bytes wait on the
 *   WebSocket's socket, resumed when that queue drains;
 * - client → VM: the WebSocket's socket is paused while more than TCP_HIGH_WATER bytes wait to be
 *   written to the VM, resumed on 'drain'.
 */
const WS_HIGH_WATER = 1024 * 1024;
/** Client → VM: stop reading from the client while more than this waits to be written to the VM. */
const TCP_HIGH_WATER = 256 * 1024;
const NO_MASK = Buffer.alloc(4);
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
  /** Ends the relay from the Bastion side (session deleted): close frame to the client; TCP cut, or ended after a flush when the client had already closed. */
  close(reason: string): void;
  /** Abrupt end (server shutdown, fault): no close handshake. */
  terminate(): void;
}

export function startRelay(options: RelayOptions): Relay {
  const { dropAfterBytes } = options;
  // VM → client chunks are read straight into pooled buffers that have room for the frame header
  // (no allocation and no copy per chunk; see FramePool).
  const pool = new FramePool();
  const tcp = net.connect({
    host: options.host,
    port: options.port,
    noDelay: true,
    onread: {
      buffer: () => pool.take(),
      callback: (n: number, buf: Uint8Array): boolean => {
        onVmData(Buffer.from(buf.buffer, buf.byteOffset, n));
        return true;
      },
    },
  });
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

  /**
   * Client → VM: the client's data is unmasked into one batch per event-loop turn (TLS hands it
   * over one record, ≤ 16 KiB, at a time) and written to the VM in one piece.
   */
  const batcher = new UnmaskingBatcher((data, done) => {
    if (tcp.destroyed) return done();
    tcp.write(data, () => done());
    // What the kernel did not take at once stays queued here; 'drain' resumes the client.
    if (tcp.writableLength > TCP_HIGH_WATER) ws.pause();
  });
  const toVm = (chunk: Buffer, mask: Buffer, maskOffset: number, maskIsZero: boolean): void => {
    if (withinBudget(chunk.length)) batcher.append(chunk, mask, maskOffset, maskIsZero);
  };

  const ws: TunnelWebSocket = new TunnelWebSocket(options.socket, {
    binary: (chunk) => toVm(chunk, NO_MASK, 0, true),
    maskedBinary: toVm,
    drain() {
      if (tcp.isPaused() && ws.bufferedAmount <= WS_HIGH_WATER) tcp.resume();
    },
    closed() {
      wsClosed = true;
      if (!tcp.destroyed) {
        // Flush what the client sent before it closed, then FIN; nothing more will be read.
        batcher.flush();
        tcp.end();
        tcp.once("finish", () => tcp.destroy());
        setTimeout(() => tcp.destroy(), TCP_FLUSH_GRACE_MS).unref();
      }
      finishIfDone();
    },
  });
  tcp.on("drain", () => ws.resume());

  // VM → client
  const onVmData = (chunk: Buffer): void => {
    if (!withinBudget(chunk.length)) return;
    ws.send(chunk, () => pool.give(chunk));
    if (ws.bufferedAmount > WS_HIGH_WATER) tcp.pause();
  };
  tcp.on("connect", () => (tcpConnected = true));
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
      // A live tunnel is cut. One whose client already sent its close frame has nothing more to
      // send: what it sent before is still on its way to the VM and is delivered before the FIN.
      const clientDone = !ws.isOpen;
      ws.close(CLOSE.normal, reason);
      if (clientDone) {
        batcher.flush();
        tcp.end();
      } else tcp.destroy();
    },
    terminate() {
      ws.terminate();
      tcp.destroy();
    },
  };
}
