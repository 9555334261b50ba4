import type { Duplex, Readable, Writable } from "node:stream";
import type WebSocket from "ws";
import { type Clock, systemClock, type TimerHandle } from "../clock";
import { JitError } from "../errors";
import { type Logger, nullLogger } from "../logger";
import { FrameReader } from "./frameReader";
import { MaskedFrameWriter } from "./maskedFrameWriter";
import { RelayKeepalive } from "./relayKeepalive";
import { type RelayEnd, remoteCloseEnd } from "./relayEnd";
import type { RelayOptions, RelayResult } from "./relayOptions";

export type { RelayEnd } from "./relayEnd";
export type { RelayOptions, RelayResult } from "./relayOptions";

/**
 * Relays one local byte stream (ssh's stdio, or an accepted TCP socket) over one Bastion WebSocket
 * (§1.5: raw bytes in binary frames, no header, one WebSocket per connection).
 *
 * This is the hot path that users compare with plain SSH, so:
 * - chunks go through as they come (64 KiB reads from pipes and sockets), one frame per chunk, with
 *   no log per chunk; when the WebSocket's socket is given (`transport`), upstream frames are
 *   built and masked by MaskedFrameWriter (SIMD, one buffer per frame) and written to it directly,
 *   and downstream the payload of data frames is streamed to the output as it arrives, without
 *   waiting for whole messages or copying them (FrameReader), the output's writes of one
 *   event-loop turn going out as one system call; control frames still go through `ws`;
 * - backpressure is real in both directions, so a slow reader on either side bounds memory:
 *   upstream, the input is paused while the WebSocket's `bufferedAmount` is above `highWaterMark`
 *   and resumed when send callbacks bring it under `lowWaterMark`; downstream, the WebSocket is
 *   paused while the output's buffer is full and resumed on `'drain'`;
 * - a keepalive ping every 30 s, and the tunnel is declared dead when nothing at all (message,
 *   pong or upstream progress) was heard for a whole interval, except while we are the ones not
 *   reading;
 * - close semantics: input EOF → close 1000; WebSocket closed → output ended once flushed; abort →
 *   both closed. `done` always settles, with why the relay ended; it never rejects. A WebSocket has
 *   no half-close, so input EOF ends the tunnel, as with the az CLI (fine for SSH, which closes
 *   only at the very end).
 *
 * Give it a WebSocket paused since its 'open' event (connectWebSocket does so), so that no message
 * is emitted before the relay listens; the relay resumes it.
 */

const SEND_OPTIONS = { binary: true, compress: false, fin: true } as const;

export class Relay {
  /** Settles once the WebSocket is closed and the output is flushed (or dropped); never rejects. */
  readonly done: Promise<RelayResult>;

  private readonly highWaterMark: number;
  private readonly lowWaterMark: number;
  private readonly outputHighWaterMark: number;
  private readonly closeTimeoutMs: number;
  private readonly target: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly signal: AbortSignal | undefined;
  private readonly startedAt: number;
  private readonly frames: MaskedFrameWriter | undefined;

  private sent = 0;
  private received = 0;
  private end: RelayEnd | undefined;
  private inputStopped = false;
  private inputPaused = false;
  private socketPaused = false;
  private outputSettled = false;
  private socketClosed = false;
  private closing = false;
  private lastSocketError: Error | undefined;
  private closeTimer: TimerHandle | undefined;
  private resolveDone!: (result: RelayResult) => void;
  private finished = false;
  private outputCorked = false;
  private readonly transport: Duplex | undefined;
  private readonly keepalive: RelayKeepalive;

  constructor(
    private readonly socket: WebSocket,
    private readonly input: Readable,
    private readonly output: Writable,
    options: RelayOptions = {},
  ) {
    this.highWaterMark = options.highWaterMark ?? 1024 * 1024;
    this.lowWaterMark = options.lowWaterMark ?? Math.floor(this.highWaterMark / 4);
    this.outputHighWaterMark = options.outputHighWaterMark ?? 512 * 1024;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
    this.target = options.target ?? "the VM";
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? nullLogger;
    this.signal = options.signal;
    this.startedAt = this.clock.now();
    this.frames = options.transport ? new MaskedFrameWriter(options.transport) : undefined;
    this.transport = options.transport;
    this.keepalive = new RelayKeepalive({
      intervalMs: options.keepaliveIntervalMs ?? 30_000,
      clock: this.clock,
      // While the output is full we are the ones not reading, so silence proves nothing.
      silenceCounts: () => !this.socketClosed && !this.closing && !this.socketPaused,
      active: () => !this.socketClosed && !this.closing,
      ping: () => this.socket.ping(),
      onDead: (seconds) => {
        this.decide({ kind: "failed", side: "remote", error: new JitError("TunnelFailed", `The tunnel to ${this.target} dropped: the Bastion did not answer for ${seconds} s`) });
        this.socket.terminate();
      },
    });
    this.done = new Promise<RelayResult>((resolve) => {
      this.resolveDone = resolve;
    });
    this.start();
  }

  /** Bytes read from the local input and handed to the WebSocket. */
  get bytesToRemote(): number {
    return this.sent;
  }

  /** Bytes received from the WebSocket and handed to the local output. */
  get bytesFromRemote(): number {
    return this.received;
  }

  /** Closes both sides (like an abort, for callers without a signal). */
  close(): void {
    this.onAbort();
  }

  private start(): void {
    const { socket, input, output } = this;
    socket.on("message", this.onMessage);
    socket.on("pong", this.onHeard);
    socket.on("error", this.onSocketError);
    socket.on("close", this.onSocketClose);
    input.on("data", this.onInputData);
    input.on("end", this.onInputEnd);
    input.on("error", this.onInputError);
    output.on("error", this.onOutputError);
    output.on("finish", this.onOutputFinish);
    output.on("close", this.onOutputClose);
    if (this.signal?.aborted) {
      this.onAbort();
      return;
    }
    this.signal?.addEventListener("abort", this.onAbort, { once: true });
    if (socket.readyState === socket.CLOSED) {
      // Its 'close' event is gone; nothing will come.
      this.socketClosed = true;
      this.decide({ kind: "failed", side: "remote", error: new JitError("TunnelFailed", `The tunnel to ${this.target} closed before it started`) });
      this.stopInput();
      this.endOutput();
      this.maybeFinish();
      return;
    }
    if (this.transport) this.takeOverReads(this.transport);
    if (socket.isPaused) socket.resume();
    if (input.isPaused()) input.resume();
    this.keepalive.start();
  }

  // ---- upstream: local input → WebSocket -------------------------------------------------------

  private readonly onInputData = (chunk: Buffer | string): void => {
    // Once a close frame is out, the RFC allows no more data (ws.send would drop it the same way).
    if (this.socket.readyState !== this.socket.OPEN) return;
    const data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.sent += data.length;
    if (this.frames) this.frames.writeBinary(data, this.onSent);
    else this.socket.send(data, SEND_OPTIONS, this.onSent);
    if (!this.inputPaused && this.socket.bufferedAmount > this.highWaterMark) {
      this.inputPaused = true;
      this.input.pause();
    }
  };

  private readonly onSent = (error?: Error | null): void => {
    if (error) return; // the socket is closing; 'close' decides what happened
    // The kernel took our bytes, so the path to the Bastion is moving: that counts as liveness.
    this.keepalive.heard();
    if (this.inputPaused && !this.inputStopped && this.socket.bufferedAmount <= this.lowWaterMark) {
      this.inputPaused = false;
      this.input.resume();
    }
  };

  private readonly onInputEnd = (): void => {
    this.inputStopped = true;
    this.decide({ kind: "localEnded" });
    this.startClose(1000);
  };

  private readonly onInputError = (error: Error): void => {
    this.decide({ kind: "failed", side: "local", error: new JitError("TunnelFailed", `Reading from the local connection failed: ${error.message}`, { cause: error }) });
    this.stopInput();
    this.startClose(1001);
    this.endOutput();
  };

  // ---- downstream: WebSocket → local output ----------------------------------------------------

  /**
   * Reads the transport ourselves (the WebSocket is paused since 'open', so nothing was read yet):
   * data frames stream to the output, every other frame goes to `ws`'s own listener as raw bytes.
   */
  private takeOverReads(transport: Duplex): void {
    // `ws`'s own 'data' listeners, which from now on get only the frames it must see.
    const wsDataListeners = transport.listeners("data") as ((chunk: Buffer) => void)[];
    for (const listener of wsDataListeners) transport.off("data", listener);
    const reader = new FrameReader({
      data: this.onPayload,
      other: (bytes) => {
        for (const listener of wsDataListeners) listener.call(transport, bytes);
      },
    });
    transport.on("data", (chunk: Buffer) => reader.push(chunk));
    // When the socket closes with bytes still unread (paused), `ws` reads them for its parser; they
    // are ours to parse first.
    transport.prependListener("close", () => {
      let chunk: Buffer | null;
      while ((chunk = transport.read() as Buffer | null) !== null) reader.push(chunk);
    });
  }

  /** Payload bytes of data frames, as they arrive. */
  private readonly onPayload = (chunk: Buffer): void => this.deliver(chunk, true);

  private readonly onMessage = (data: WebSocket.RawData): void => {
    this.deliver(Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data), false);
  };

  /**
   * Bytes from the remote end to the output. `cork`: the writes of one event-loop turn go out
   * together (FrameReader hands over many small slices per read); `ws` messages come whole.
   */
  private deliver(chunk: Buffer, cork: boolean): void {
    this.keepalive.heard();
    this.received += chunk.length;
    if (this.outputSettled) return;
    if (cork && !this.outputCorked) {
      this.outputCorked = true;
      this.output.cork();
      setImmediate(this.flushOutput);
    }
    // One read of the transport can bring megabytes before the flush: the bound is checked per chunk.
    if (!this.output.write(chunk)) this.pauseForOutput();
  }

  private readonly flushOutput = (): void => {
    this.outputCorked = false;
    this.output.uncork();
  };

  /** Stops reading the WebSocket while the output holds `outputHighWaterMark` or more; 'drain' resumes it. */
  private pauseForOutput(): void {
    if (this.socketPaused || this.output.writableLength < this.outputHighWaterMark) return;
    this.socketPaused = true;
    this.socket.pause();
    this.output.once("drain", this.onOutputDrain);
  }

  private readonly onOutputDrain = (): void => {
    if (!this.socketPaused) return;
    this.socketPaused = false;
    if (!this.socketClosed) this.socket.resume();
  };

  private readonly onHeard = (): void => {
    this.keepalive.heard();
  };

  private readonly onOutputError = (error: Error): void => {
    this.outputSettled = true;
    this.decide({
      kind: "failed",
      side: "local",
      error: new JitError("TunnelFailed", `The local side of the tunnel to ${this.target} closed while data was still flowing (${error.message})`, {
        cause: error,
      }),
    });
    this.stopInput();
    this.startClose(1001);
    this.maybeFinish();
  };

  private readonly onOutputFinish = (): void => {
    this.outputSettled = true;
    this.maybeFinish();
  };

  private readonly onOutputClose = (): void => {
    if (!this.outputSettled) {
      this.outputSettled = true;
      this.decide({ kind: "failed", side: "local", error: new JitError("TunnelFailed", `The local side of the tunnel to ${this.target} closed`) });
      this.stopInput();
      this.startClose(1001);
    }
    this.maybeFinish();
  };

  // ---- WebSocket lifecycle ---------------------------------------------------------------------

  private readonly onSocketError = (error: Error): void => {
    this.lastSocketError = error;
  };

  private readonly onSocketClose = (code: number, reasonBuffer: Buffer): void => {
    this.socketClosed = true;
    this.clearTimers();
    this.decide(remoteCloseEnd(code, reasonBuffer.toString("utf8"), { target: this.target, bytesFromRemote: this.received, lastError: this.lastSocketError }));
    this.stopInput();
    this.endOutput();
    this.maybeFinish();
  };

  private readonly onAbort = (): void => {
    this.decide({ kind: "aborted" });
    this.stopInput();
    this.startClose(1000);
    this.endOutput();
    this.maybeFinish();
  };

  private startClose(code: number): void {
    if (this.closing || this.socketClosed) return;
    this.closing = true;
    // Frames already queued go out first: close() is ordered after pending sends.
    this.socket.close(code);
    this.closeTimer = this.clock.setTimeout(() => {
      this.logger.debug(`tunnel to ${this.target}: the Bastion did not answer the close in ${this.closeTimeoutMs} ms; dropping the socket`);
      this.socket.terminate();
    }, this.closeTimeoutMs);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Records why the relay ends; the first reason wins. */
  private decide(end: RelayEnd): void {
    this.end ??= end;
  }

  private stopInput(): void {
    if (this.inputStopped) return;
    this.inputStopped = true;
    this.input.off("data", this.onInputData);
    this.input.pause();
  }

  private endOutput(): void {
    if (this.outputSettled) return;
    // An aborted relay does not wait for a reader that may never read again.
    if (this.end?.kind === "aborted" || (this.end?.kind === "failed" && this.end.side === "local")) {
      this.outputSettled = true;
      this.output.end();
      return;
    }
    if (!this.output.writableEnded) this.output.end();
  }

  private clearTimers(): void {
    this.keepalive.stop();
    if (this.closeTimer) this.clock.clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
  }

  private maybeFinish(): void {
    if (this.finished || !this.socketClosed || !this.outputSettled) return;
    this.finished = true;
    this.clearTimers();
    this.signal?.removeEventListener("abort", this.onAbort);
    const { socket, input, output } = this;
    socket.off("message", this.onMessage);
    socket.off("pong", this.onHeard);
    socket.off("close", this.onSocketClose);
    // Keep swallowing late socket errors: ws may still report one after 'close'.
    input.off("end", this.onInputEnd);
    output.off("drain", this.onOutputDrain);
    output.off("finish", this.onOutputFinish);
    output.off("close", this.onOutputClose);
    // Late stream errors (EPIPE after we are done) must not become uncaught exceptions.
    this.resolveDone({
      end: this.end ?? { kind: "remoteClosed", code: 1005, reason: "" },
      bytesToRemote: this.sent,
      bytesFromRemote: this.received,
      durationMs: this.clock.now() - this.startedAt,
    });
  }
}

/** Starts relaying between `socket` and `input`/`output`; see `Relay`. */
export function startRelay(socket: WebSocket, input: Readable, output: Writable, options: RelayOptions = {}): Relay {
  return new Relay(socket, input, output, options);
}
