import { unmaskInPlace } from "./unmask";

/** RFC 6455 opcodes. */
export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** RFC 6455 close codes used by the tunnel. */
export const CLOSE = { normal: 1000, protocolError: 1002, unsupportedData: 1003, noStatus: 1005, abnormal: 1006, tooBig: 1009, internalError: 1011 } as const;

export interface FrameHandler {
  /** Payload bytes of binary messages, in order, as they arrive (a message may come in many calls). */
  binary(chunk: Buffer): void;
  /**
   * When present, binary payload is handed over still masked, with the frame's mask and the
   * chunk's offset in the frame, instead of unmasked in place and given to `binary`: the handler
   * unmasks it while copying it where it goes (see UnmaskingBatcher).
   */
  maskedBinary?(chunk: Buffer, mask: Buffer, maskOffset: number, maskIsZero: boolean): void;
  /** A text message started: the tunnel carries bytes only. Parsing stops. */
  text(): void;
  ping(payload: Buffer): void;
  pong(payload: Buffer): void;
  /** A close frame; `code` is undefined when the frame had no status. Parsing stops. */
  close(code: number | undefined, reason: string): void;
  /** The peer broke the protocol; close with `code`. Parsing stops. */
  protocolError(code: number, message: string): void;
}

const MAX_CONTROL_PAYLOAD = 125;

/**
 * A streaming parser for client-to-server WebSocket frames (RFC 6455 §5), built for the tunnel:
 * binary payload is unmasked in place and handed on as slices of the incoming chunk, without
 * waiting for the end of the frame or message and without copying. Control frames (≤ 125 bytes)
 * are assembled. No extension is ever negotiated, so RSV bits must be clear.
 */
export class FrameParser {
  private readonly header = Buffer.alloc(14);
  private headerLength = 0;
  private inPayload = false;
  private remaining = 0;
  private readonly mask = Buffer.alloc(4);
  private maskOffset = 0;
  /** A client may use an all-zero mask (`ws`'s `generateMask` option) to spare both ends the XOR. */
  private maskIsZero = false;
  private opcode = 0;
  private fin = false;
  private control: Buffer | undefined;
  private controlLength = 0;
  /** A binary message whose final frame has not arrived yet (continuation frames follow). */
  private fragmented = false;
  private stopped = false;

  constructor(private readonly handler: FrameHandler) {}

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length && !this.stopped) {
      if (!this.inPayload) {
        pos = this.readHeader(chunk, pos);
        continue;
      }
      const n = Math.min(this.remaining, chunk.length - pos);
      const slice = chunk.subarray(pos, pos + n);
      const maskOffset = this.maskOffset;
      this.maskOffset += n;
      this.remaining -= n;
      pos += n;
      if (!this.control && this.handler.maskedBinary) {
        this.handler.maskedBinary(slice, this.mask, maskOffset, this.maskIsZero);
      } else {
        if (!this.maskIsZero) unmaskInPlace(slice, this.mask, maskOffset);
        if (this.control) {
          slice.copy(this.control, this.controlLength);
          this.controlLength += n;
        } else {
          this.handler.binary(slice);
        }
      }
      if (this.remaining === 0) this.endFrame();
    }
  }

  /** Consumes header bytes from `chunk` at `pos`; returns the new position. */
  private readHeader(chunk: Buffer, pos: number): number {
    let needed = this.headerLength < 2 ? 2 : headerSize(this.header);
    while (this.headerLength < needed && pos < chunk.length) {
      this.header[this.headerLength++] = chunk[pos++]!;
      if (this.headerLength === 2) needed = headerSize(this.header);
    }
    if (this.headerLength === needed) this.startFrame();
    return pos;
  }

  private startFrame(): void {
    const h = this.header;
    const b0 = h[0]!;
    const b1 = h[1]!;
    this.headerLength = 0;
    this.fin = (b0 & 0x80) !== 0;
    this.opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0) return this.fail(CLOSE.protocolError, "RSV bits set without a negotiated extension");
    if ((b1 & 0x80) === 0) return this.fail(CLOSE.protocolError, "Client frames must be masked");
    const len7 = b1 & 0x7f;
    let length: number;
    let maskAt: number;
    if (len7 === 126) {
      length = h.readUInt16BE(2);
      maskAt = 4;
    } else if (len7 === 127) {
      const high = h.readUInt32BE(2);
      if (high > 0x1fffff) return this.fail(CLOSE.tooBig, "Frame too large");
      length = high * 0x100000000 + h.readUInt32BE(6);
      maskAt = 10;
    } else {
      length = len7;
      maskAt = 2;
    }
    h.copy(this.mask, 0, maskAt, maskAt + 4);
    this.maskIsZero = this.mask.readUInt32BE(0) === 0;
    this.maskOffset = 0;
    this.remaining = length;
    this.control = undefined;

    switch (this.opcode) {
      case OPCODE.binary:
        if (this.fragmented) return this.fail(CLOSE.protocolError, "New message before the previous one ended");
        break;
      case OPCODE.continuation:
        if (!this.fragmented) return this.fail(CLOSE.protocolError, "Continuation frame without a message");
        break;
      case OPCODE.text:
        this.stopped = true;
        return this.handler.text();
      case OPCODE.close:
      case OPCODE.ping:
      case OPCODE.pong:
        if (!this.fin || length > MAX_CONTROL_PAYLOAD) return this.fail(CLOSE.protocolError, "Invalid control frame");
        this.control = Buffer.alloc(length);
        this.controlLength = 0;
        break;
      default:
        return this.fail(CLOSE.protocolError, `Unknown opcode ${this.opcode}`);
    }
    if (length === 0) this.endFrame();
    else this.inPayload = true;
  }

  private endFrame(): void {
    this.inPayload = false;
    const control = this.control;
    if (!control) {
      this.fragmented = !this.fin;
      return;
    }
    this.control = undefined;
    if (this.opcode === OPCODE.ping) return this.handler.ping(control);
    if (this.opcode === OPCODE.pong) return this.handler.pong(control);
    this.stopped = true;
    if (control.length === 0) return this.handler.close(undefined, "");
    if (control.length === 1) return this.fail(CLOSE.protocolError, "Invalid close frame");
    this.handler.close(control.readUInt16BE(0), control.subarray(2).toString("utf8"));
  }

  private fail(code: number, message: string): void {
    this.stopped = true;
    this.handler.protocolError(code, message);
  }
}

/** Header size (2–14 bytes) once its first two bytes are known. */
function headerSize(header: Buffer): number {
  const len7 = header[1]! & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + 4;
}

/** An unmasked server-to-client frame header for a payload of `length` bytes. */
export function frameHeader(opcode: number, length: number): Buffer {
  const h = Buffer.allocUnsafe(frameHeaderLength(length));
  writeFrameHeader(h, 0, opcode, length);
  return h;
}

/** Bytes of a server (unmasked) frame header for a payload of `length` bytes. */
function frameHeaderLength(length: number): number {
  return length < 126 ? 2 : length < 0x10000 ? 4 : 10;
}

/** Writes a final, unmasked frame header for `length` payload bytes at `target[at]`. */
function writeFrameHeader(target: Buffer, at: number, opcode: number, length: number): void {
  target[at] = 0x80 | opcode;
  if (length < 126) {
    target[at + 1] = length;
  } else if (length < 0x10000) {
    target[at + 1] = 126;
    target.writeUInt16BE(length, at + 2);
  } else {
    target[at + 1] = 127;
    target.writeUInt32BE(Math.floor(length / 0x100000000), at + 2);
    target.writeUInt32BE(length >>> 0, at + 6);
  }
}

/** Room a FramePool buffer keeps before its payload: the largest server frame header (10 bytes). */
export const FRAME_HEADROOM = 16;

/**
 * When `payload` sits in memory with at least a frame header's worth of bytes before it that
 * belong to nobody (a FramePool buffer), writes the header there and returns the whole frame as
 * one Buffer over the same memory; otherwise undefined.
 */
export function framedInPlace(opcode: number, payload: Buffer): Buffer | undefined {
  if (!FramePool.owns(payload)) return undefined;
  const length = payload.length;
  const headerLength = frameHeaderLength(length);
  const frame = Buffer.from(payload.buffer, payload.byteOffset - headerLength, headerLength + length);
  writeFrameHeader(frame, 0, opcode, length);
  return frame;
}

/**
 * Read buffers for the VM side of a relay (`net.connect({ onread })`): each has FRAME_HEADROOM
 * spare bytes before the part the socket reads into, so that a chunk read from the VM becomes a
 * WebSocket frame without a copy. Buffers come back to the pool once their frame is written (the
 * write callback), so a steady transfer allocates nothing.
 */
export class FramePool {
  private static readonly marked = new WeakSet<ArrayBuffer>();
  private readonly free: Buffer[] = [];

  constructor(
    readonly readSize = 64 * 1024,
    private readonly maxFree = 32,
  ) {}

  static owns(payload: Buffer): boolean {
    // Exactly at the headroom: a slice further in would have someone's payload before it.
    return payload.byteOffset === FRAME_HEADROOM && payload.buffer instanceof ArrayBuffer && FramePool.marked.has(payload.buffer);
  }

  /** A buffer to read into (its view starts after the headroom). */
  take(): Buffer {
    const reused = this.free.pop();
    if (reused) return reused;
    const memory = new ArrayBuffer(FRAME_HEADROOM + this.readSize);
    FramePool.marked.add(memory);
    return Buffer.from(memory, FRAME_HEADROOM, this.readSize);
  }

  /** Gives back a buffer (any view of it) once nothing refers to its bytes any more. */
  give(view: Buffer): void {
    if (this.free.length >= this.maxFree || !(view.buffer instanceof ArrayBuffer) || !FramePool.marked.has(view.buffer)) return;
    this.free.push(Buffer.from(view.buffer, FRAME_HEADROOM, this.readSize));
  }
}
