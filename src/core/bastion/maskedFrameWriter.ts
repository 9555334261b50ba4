import { randomFillSync } from "node:crypto";
import type { Duplex } from "node:stream";

/**
 * Writes client→server binary WebSocket frames (RFC 6455 §5.2) straight onto the WebSocket's
 * socket, masking the payload in place.
 *
 * Why not `ws.send`: a client must mask every frame, and `ws` copies each payload into a new
 * buffer and masks it with a byte-by-byte JavaScript loop unless the native `bufferutil` add-on
 * is installed (we ship pure JS). That costs about 2 ns per byte, the largest CPU cost of the
 * whole upstream path. Here the payload is masked in place, 32 bits at a time (about 6x faster),
 * and written after a small header with no copy. The buffer must belong to the caller (a chunk
 * just read from a pipe or socket): it is modified.
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

  constructor(private readonly socket: Duplex) {}

  /** Writes one final binary frame. Returns what `socket.write` returns (false: its buffer is full). */
  writeBinary(payload: Buffer, callback: (error?: Error | null) => void): boolean {
    const length = payload.length;
    const lengthBytes = length <= 125 ? 0 : length <= 0xffff ? 2 : 8;
    const headerLength = 2 + lengthBytes + 4;
    const coalesce = length <= MaskedFrameWriter.COALESCE_BYTES;
    const frame = Buffer.allocUnsafe(coalesce ? headerLength + length : headerLength);
    frame[0] = 0x82; // FIN + binary
    if (lengthBytes === 0) {
      frame[1] = 0x80 | length;
    } else if (lengthBytes === 2) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
      frame.writeUInt32BE(length >>> 0, 6);
    }
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

  private nextMaskKey(target: Buffer, offset: number): void {
    if (this.poolOffset + 4 > this.pool.length) {
      randomFillSync(this.pool);
      this.poolOffset = 0;
    }
    this.pool.copy(target, offset, this.poolOffset, this.poolOffset + 4);
    this.poolOffset += 4;
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
