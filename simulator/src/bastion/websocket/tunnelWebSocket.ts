import { type Duplex } from "node:stream";
import { CLOSE, FrameParser, frameHeader, framedInPlace, OPCODE } from "./frameParser";

/** How long the peer gets to answer our close frame before the socket is dropped. */
const CLOSE_TIMEOUT_MS = 30_000;
/** Close reasons are limited to 123 bytes by RFC 6455. */
const MAX_REASON_BYTES = 123;

export interface TunnelWebSocketEvents {
  /** Payload bytes of binary messages as they arrive (only while open). */
  binary(chunk: Buffer): void;
  /** When present, binary payload arrives still masked (see FrameHandler.maskedBinary). */
  maskedBinary?(chunk: Buffer, mask: Buffer, maskOffset: number, maskIsZero: boolean): void;
  /** The socket's write queue has emptied. */
  drain(): void;
  /** The connection is gone. `code` is the peer's close status, 1005 without one, 1006 without a close frame. */
  closed(code: number, reason: string): void;
}

type State = "open" | "closing" | "closed";

/**
 * The server side of one tunnel WebSocket, on an upgraded (TLS) socket. Only what a byte tunnel
 * needs: binary data both ways, ping → pong, the close handshake; text frames are refused with
 * 1003, protocol errors with 1002. Sending never copies the payload (header and data go out in
 * one corked write).
 */
export class TunnelWebSocket {
  private state: State = "open";
  private receivedCode: number = CLOSE.abnormal;
  private receivedReason = "";
  private readonly parser: FrameParser;

  constructor(
    private readonly socket: Duplex,
    private readonly events: TunnelWebSocketEvents,
  ) {
    this.parser = new FrameParser({
      binary: (chunk) => {
        if (this.state === "open") this.events.binary(chunk);
      },
      ...(events.maskedBinary
        ? {
            maskedBinary: (chunk: Buffer, mask: Buffer, maskOffset: number, maskIsZero: boolean) => {
              if (this.state === "open") events.maskedBinary?.(chunk, mask, maskOffset, maskIsZero);
            },
          }
        : {}),
      text: () => this.close(CLOSE.unsupportedData, "Binary frames only"),
      ping: (payload) => this.sendFrame(OPCODE.pong, payload),
      pong: () => undefined,
      close: (code, reason) => this.onCloseFrame(code, reason),
      protocolError: (code, message) => this.close(code, message),
    });
    socket.on("data", (chunk: Buffer) => this.parser.push(chunk));
    socket.on("drain", () => this.events.drain());
    socket.on("end", () => socket.end());
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.state = "closed";
      this.events.closed(this.receivedCode, this.receivedReason);
    });
  }

  /** Bytes that arrived with the upgrade request, before any 'data' event. */
  feed(head: Buffer): void {
    if (head.length > 0) this.parser.push(head);
  }

  get isOpen(): boolean {
    return this.state === "open";
  }

  /** Bytes queued on the socket, not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /** Sends `chunk` as one binary message. */
  send(chunk: Buffer, callback?: (error?: Error | null) => void): void {
    if (this.state !== "open") return;
    // A chunk read into a FramePool buffer has room for the header right before it: header and
    // payload then go out as one contiguous buffer, which TLS encrypts without copying it first
    // (a write of several buffers is gathered into a new one by Node's TLS layer).
    const frame = framedInPlace(OPCODE.binary, chunk);
    if (frame && !this.socket.destroyed && !this.socket.writableEnded) {
      this.socket.write(frame, callback);
      return;
    }
    this.sendFrame(OPCODE.binary, chunk, callback);
  }

  /** Stops reading from the client (backpressure towards it). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Starts the close handshake: our close frame, then the socket ends when the client answers. */
  close(code: number, reason = ""): void {
    if (this.state !== "open") return;
    this.state = "closing";
    const reasonBytes = truncate(Buffer.from(reason, "utf8"));
    const payload = Buffer.allocUnsafe(2 + reasonBytes.length);
    payload.writeUInt16BE(code, 0);
    reasonBytes.copy(payload, 2);
    this.sendFrame(OPCODE.close, payload);
    setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS).unref();
  }

  /** Drops the connection without a close handshake (fault injection, shutdown). */
  terminate(): void {
    this.socket.destroy();
  }

  private onCloseFrame(code: number | undefined, reason: string): void {
    this.receivedCode = code ?? CLOSE.noStatus;
    this.receivedReason = reason;
    if (this.state === "open") {
      // Echo the status (RFC 6455 §5.5.1), then the server closes the TCP connection first.
      const payload = Buffer.alloc(code === undefined ? 0 : 2);
      if (code !== undefined) payload.writeUInt16BE(code, 0);
      this.state = "closing";
      this.sendFrame(OPCODE.close, payload);
    }
    this.socket.end();
  }

  private sendFrame(opcode: number, payload: Buffer, callback?: (error?: Error | null) => void): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.cork();
    if (payload.length > 0) {
      this.socket.write(frameHeader(opcode, payload.length));
      this.socket.write(payload, callback);
    } else {
      this.socket.write(frameHeader(opcode, 0), callback);
    }
    this.socket.uncork();
  }

}

function truncate(bytes: Buffer): Buffer {
  if (bytes.length <= MAX_REASON_BYTES) return bytes;
  // Cut on a UTF-8 character boundary (continuation bytes are 10xxxxxx).
  let end = MAX_REASON_BYTES;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}
