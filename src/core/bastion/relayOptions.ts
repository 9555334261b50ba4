import type { Duplex } from "node:stream";
import type { Clock } from "../clock";
import type { Logger } from "../logger";
import type { RelayEnd } from "./relayEnd";

/** How a Relay (relay.ts) is tuned, and what it reports when it ends. */

export interface RelayOptions {
  /**
   * The socket under the WebSocket (from its 'upgrade' response). When given, data frames are
   * written to it directly, masked in place: input chunks then belong to the relay (true of chunks
   * read from sockets and pipes; do not pass a stream that hands out buffers someone else keeps).
   * Without it, frames go through `ws.send` (a copy and a slower mask per chunk).
   */
  transport?: Duplex;
  /** Pause the input while the WebSocket buffers more than this (bytes). Default 1 MiB. */
  highWaterMark?: number;
  /** Resume the input once the WebSocket buffers at most this. Default a quarter of highWaterMark. */
  lowWaterMark?: number;
  /** Pause the WebSocket while the output buffers more than this (bytes). Default 512 KiB. */
  outputHighWaterMark?: number;
  /** Keepalive ping interval; 0 disables. Default 30 s. */
  keepaliveIntervalMs?: number;
  /** After we start a close, how long the Bastion gets to answer it before the socket is dropped. Default 5 s. */
  closeTimeoutMs?: number;
  /** For messages, e.g. "vm-01:22". */
  target?: string;
  clock?: Clock;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface RelayResult {
  end: RelayEnd;
  bytesToRemote: number;
  bytesFromRemote: number;
  durationMs: number;
}
