import { randomFillSync } from "node:crypto";
import type { Duplex } from "node:stream";
import { type SimdXor, simdXor } from "./simdXor";

/**
 * Writes client→server binary WebSocket frames (RFC 6455 §5.2) straight onto the WebSocket's
 * socket.
 *
 * Why not `ws.send`: a client must mask every frame, and `ws` copies each payload into a new
 * buffer and masks it with a byte-by-byte JavaScript loop unless the native `bufferutil` add-on
 * is installed (we ship pure JS). Masking is the largest CPU cost of the upstream path, so:
 * - with WebAssembly SIMD (everywhere we run: Node ≥ 16, VS Code's Electron), each frame is built
 *   in a slot of the SIMD module's memory: header, then the payload copied in and masked 64 bytes
 *   per loop turn, about ten times faster than JavaScript can XOR; the frame goes out as ONE
 *   buffer (TLS gathers a multi-buffer write into a new buffer first: one copy saved), and the slot
 *   is reused once the write completed, so a steady upload allocates nothing;
 * - otherwise (or for a chunk larger than a slot, or when every slot is in flight), the payload is
 *   masked in place 32 bits at a time and written after a small header with no copy; that buffer
 *   then belongs to the writer (a chunk just read from a pipe or socket).
 *
 * Masks are fresh random keys, as the RFC requires (§5.3), taken from a pool filled by the CSPRNG.
 * Frames are written whole within one synchronous call, so they never interleave with the control
 * frames (`ping`, `close`) that `ws` writes on the same socket.
 */
export class MaskedFrameWriter {
  private readonly pool = Buffer.allocUnsafe(8192);
  private poolOffset = this.pool.length;
  /** Payloads up to this size are copied next to their header and written once (keystrokes). */
  private static readonly COALESCE_BYTES = 1024;
  private readonly slots: SlotArena | undefined;

  constructor(
    private readonly socket: Duplex,
    options: { simd?: boolean } = {},
  ) {
    const simd = options.simd === false ? null : simdXor();
    this.slots = simd ? SlotArena.shared(simd) : undefined;
  }

  /** Writes one final binary frame. Returns what `socket.write` returns (false: its buffer is full). */
  writeBinary(payload: Buffer, callback: (error?: Error | null) => void): boolean {
    const length = payload.length;
    const lengthBytes = length <= 125 ? 0 : length <= 0xffff ? 2 : 8;
    const headerLength = 2 + lengthBytes + 4;
    if (length > MaskedFrameWriter.COALESCE_BYTES && this.slots) {
      const slot = this.slots.take(length);
      if (slot !== undefined) return this.writeInSlot(slot, payload, headerLength, lengthBytes, callback);
    }
    const coalesce = length <= MaskedFrameWriter.COALESCE_BYTES;
    const frame = Buffer.allocUnsafe(coalesce ? headerLength + length : headerLength);
    writeHeader(frame, 0, length, lengthBytes);
    const keyOffset = 2 + lengthBytes;
    this.nextMaskKey(frame, keyOffset);
    if (coalesce) {
      payload.copy(frame, headerLength);
      const body = frame.subarray(headerLength);
      maskInPlace(body, frame, keyOffset);
      return this.socket.write(frame, callback);
    }
    maskInPlace(payload, frame, keyOffset);
    this.socket.cork();
    this.socket.write(frame);
    const more = this.socket.write(payload, callback);
    this.socket.uncork();
    return more;
  }

  private writeInSlot(slot: number, payload: Buffer, headerLength: number, lengthBytes: number, callback: (error?: Error | null) => void): boolean {
    const arena = this.slots!;
    const memory = arena.simd.memory;
    const start = slot + SlotArena.HEADROOM;
    const length = payload.length;
    payload.copy(memory, start);
    const frameStart = start - headerLength;
    writeHeader(memory, frameStart, length, lengthBytes);
    const keyOffset = frameStart + 2 + lengthBytes;
    this.nextMaskKey(memory, keyOffset);
    arena.simd.xor(start, length, memory.readInt32LE(keyOffset));
    const frame = memory.subarray(frameStart, start + length);
    return this.socket.write(frame, (error) => {
      // Written (or failed): nothing refers to the slot's bytes any more.
      arena.give(slot);
      callback(error);
    });
  }

  private nextMaskKey(target: Buffer, offset: number): void {
    if (this.poolOffset + 4 > this.pool.length) {
      randomFillSync(this.pool);
      this.poolOffset = 0;
    }
    this.pool.copy(target, offset, this.poolOffset, this.poolOffset + 4);
    this.poolOffset += 4;
  }
}

function writeHeader(target: Buffer, at: number, length: number, lengthBytes: number): void {
  target[at] = 0x82; // FIN + binary
  if (lengthBytes === 0) {
    target[at + 1] = 0x80 | length;
  } else if (lengthBytes === 2) {
    target[at + 1] = 0x80 | 126;
    target.writeUInt16BE(length, at + 2);
  } else {
    target[at + 1] = 0x80 | 127;
    target.writeUInt32BE(Math.floor(length / 2 ** 32), at + 2);
    target.writeUInt32BE(length >>> 0, at + 6);
  }
}

/**
 * Fixed-size frame slots in the SIMD module's memory: 16 bytes of headroom (the largest client
 * frame header is 14), up to SLOT_PAYLOAD bytes of payload, and 64 bytes of margin (the SIMD loop
 * XORs whole 64-byte blocks). Shared by every relay of the process (a forwarder runs many); a
 * relay keeps at most its high-water mark in flight, so slots run out only with many fast
 * uploads at once, and then frames take the in-place path.
 */
export class SlotArena {
  static readonly HEADROOM = 16;
  /** A pipe or socket read is at most 64 KiB. */
  static readonly SLOT_PAYLOAD = 64 * 1024;
  private static readonly SLOT_SIZE = SlotArena.HEADROOM + SlotArena.SLOT_PAYLOAD + 64;
  private static instance: SlotArena | undefined;
  private readonly free: number[] = [];

  private constructor(readonly simd: SimdXor) {
    const count = Math.floor(simd.memory.length / SlotArena.SLOT_SIZE);
    // Highest offsets first, so that pop() hands out the lowest slots: the fewer distinct slots a
    // steady transfer cycles through, the fewer pages it touches.
    for (let i = count - 1; i >= 0; i--) this.free.push(i * SlotArena.SLOT_SIZE);
  }

  static shared(simd: SimdXor): SlotArena {
    SlotArena.instance ??= new SlotArena(simd);
    return SlotArena.instance;
  }

  /** A slot's start offset, or undefined when the payload does not fit or none is free. */
  take(payloadLength: number): number | undefined {
    if (payloadLength > SlotArena.SLOT_PAYLOAD) return undefined;
    return this.free.pop();
  }

  give(slot: number): void {
    this.free.push(slot);
  }

  get available(): number {
    return this.free.length;
  }
}

/**
 * XORs `data` with the 4-byte key at `key[keyOffset..+4]`, repeating (RFC 6455 §5.3). Bytes up to
 * the first 4-byte-aligned address go one by one; the aligned middle goes as 32-bit words with the
 * key rotated to that position. Endianness does not matter: the word key is built through the same
 * memory view as the data.
 */
export function maskInPlace(data: Buffer, key: Buffer, keyOffset = 0): void {
  const length = data.length;
  const k0 = key[keyOffset] ?? 0;
  const k1 = key[keyOffset + 1] ?? 0;
  const k2 = key[keyOffset + 2] ?? 0;
  const k3 = key[keyOffset + 3] ?? 0;
  const keyBytes = [k0, k1, k2, k3];
  let i = 0;
  const lead = Math.min(length, (4 - (data.byteOffset & 3)) & 3);
  for (; i < lead; i++) data[i] = (data[i] ?? 0) ^ (keyBytes[i & 3] ?? 0);
  const words = (length - i) >>> 2;
  if (words > 0) {
    const rotated = new Uint8Array([keyBytes[i & 3] ?? 0, keyBytes[(i + 1) & 3] ?? 0, keyBytes[(i + 2) & 3] ?? 0, keyBytes[(i + 3) & 3] ?? 0]);
    const wordKey = new Uint32Array(rotated.buffer)[0] ?? 0;
    const view = new Uint32Array(data.buffer, data.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w] = (view[w] ?? 0) ^ wordKey;
    i += words * 4;
  }
  for (; i < length; i++) data[i] = (data[i] ?? 0) ^ (keyBytes[i & 3] ?? 0);
}
