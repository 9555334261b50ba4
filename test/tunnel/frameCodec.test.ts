/**
 * The tunnel's own WebSocket framing on the hot path: the SIMD mask, the frame writer (both its
 * SIMD-slot and in-place paths) and the streaming frame reader, checked against RFC 6455 framing
 * written independently here, with every split of the byte stream a socket can produce.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Duplex } from "node:stream";
import { describe, test } from "node:test";
import { FrameReader } from "../../src/core/bastion/frameReader";
import { MaskedFrameWriter, maskInPlace, SlotArena } from "../../src/core/bastion/maskedFrameWriter";
import { simdXor } from "../../src/core/bastion/simdXor";

interface DecodedFrame {
  fin: boolean;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/** RFC 6455 §5.2, the straightforward way: whole frames out of a complete buffer. */
function decodeFrames(bytes: Buffer): DecodedFrame[] {
  const frames: DecodedFrame[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const b0 = bytes[pos]!;
    const b1 = bytes[pos + 1]!;
    let length = b1 & 0x7f;
    pos += 2;
    if (length === 126) {
      length = bytes.readUInt16BE(pos);
      pos += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(pos));
      pos += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    const key = masked ? bytes.subarray(pos, pos + 4) : undefined;
    if (masked) pos += 4;
    const payload = Buffer.from(bytes.subarray(pos, pos + length));
    if (key) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ key[i % 4]!;
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, masked, payload });
    pos += length;
  }
  assert.equal(pos, bytes.length, "the stream ends on a frame boundary");
  return frames;
}

/** A server→client frame (unmasked unless `mask`). */
function encodeFrame(opcode: number, payload: Buffer, options: { fin?: boolean; mask?: boolean; rsv1?: boolean } = {}): Buffer {
  const length = payload.length;
  const ext = length <= 125 ? 0 : length <= 0xffff ? 2 : 8;
  const header = Buffer.alloc(2 + ext + (options.mask ? 4 : 0));
  header[0] = (options.fin === false ? 0 : 0x80) | (options.rsv1 ? 0x40 : 0) | opcode;
  header[1] = (options.mask ? 0x80 : 0) | (ext === 0 ? length : ext === 2 ? 126 : 127);
  if (ext === 2) header.writeUInt16BE(length, 2);
  if (ext === 8) header.writeBigUInt64BE(BigInt(length), 2);
  const body = Buffer.from(payload);
  if (options.mask) {
    const key = randomBytes(4);
    key.copy(header, 2 + ext);
    for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ key[i % 4]!;
  }
  return Buffer.concat([header, body]);
}

/** A socket stand-in that records what is written and completes writes when told. */
class RecordingSocket extends Duplex {
  readonly chunks: Buffer[] = [];
  private pending: (() => void)[] = [];
  constructor(private holdWrites = false) {
    super({ writableHighWaterMark: 1 << 30 });
  }
  override _read(): void {
    // Nothing to read: the writer only writes.
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    // Copy: a slot's bytes are reused once the write completes, as on a real socket.
    this.chunks.push(Buffer.from(chunk));
    if (this.holdWrites) this.pending.push(() => done());
    else done();
  }
  /** Completes the held write and stops holding (a Writable hands `_write` one chunk at a time). */
  release(): void {
    this.holdWrites = false;
    const pending = this.pending;
    this.pending = [];
    for (const done of pending) done();
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const SIZES = [0, 1, 3, 4, 5, 63, 64, 65, 125, 126, 127, 1024, 1025, 4096, 65_535, 65_536, 65_537, 200_000];

describe("WebSocket hot path: mask, frame writer, frame reader", () => {
  test("the SIMD mask agrees with the JavaScript mask at every offset and length, without touching bytes outside its range", () => {
    const simd = simdXor();
    assert.ok(simd, "WebAssembly SIMD is available in Node 20 (the product relies on it for speed, with a fallback)");
    for (const offset of [0, 16, 48, 4096]) {
      for (const length of [1, 2, 3, 15, 16, 17, 63, 64, 65, 1000, 65_536]) {
        const data = randomBytes(length);
        const key = randomBytes(4);
        const expected = Buffer.from(data);
        maskInPlace(expected, key, 0);
        const guard = offset + Math.ceil(length / 64) * 64;
        simd.memory.fill(0xa5, offset, guard + 64);
        data.copy(simd.memory, offset);
        simd.xor(offset, length, key.readInt32LE(0));
        assert.ok(simd.memory.subarray(offset, offset + length).equals(expected), `offset ${offset}, length ${length}`);
        assert.ok(simd.memory.subarray(guard, guard + 64).every((b) => b === 0xa5), `bytes past the 64-byte margin untouched (offset ${offset}, length ${length})`);
      }
    }
  });

  for (const simd of [true, false]) {
    test(`the frame writer (${simd ? "SIMD slots" : "in place"}) writes final, masked binary frames that decode to the payloads, with a fresh key each`, async () => {
      const socket = new RecordingSocket();
      const writer = new MaskedFrameWriter(socket, { simd });
      const payloads = SIZES.map((n) => randomBytes(n));
      for (const p of payloads) {
        await new Promise<void>((resolve, reject) => writer.writeBinary(Buffer.from(p), (e) => (e ? reject(e) : resolve())));
      }
      const frames = decodeFrames(socket.bytes);
      assert.equal(frames.length, payloads.length);
      frames.forEach((f, i) => {
        assert.deepEqual({ fin: f.fin, opcode: f.opcode, masked: f.masked }, { fin: true, opcode: 2, masked: true }, `frame ${i}`);
        assert.ok(f.payload.equals(payloads[i]!), `payload ${i} (${payloads[i]!.length} bytes)`);
      });
      const keys = new Set<string>();
      let pos = 0;
      for (const p of payloads) {
        const ext = p.length <= 125 ? 0 : p.length <= 0xffff ? 2 : 8;
        keys.add(socket.bytes.subarray(pos + 2 + ext, pos + 6 + ext).toString("hex"));
        pos += 6 + ext + p.length;
      }
      assert.ok(keys.size >= payloads.length - 1, "masking keys are not reused");
    });
  }

  test("SIMD slots go back to the arena only when their write completed; with none free, frames take the in-place path", async () => {
    const simd = simdXor();
    assert.ok(simd);
    const arena = SlotArena.shared(simd);
    const socket = new RecordingSocket(true);
    const writer = new MaskedFrameWriter(socket, { simd: true });
    const before = arena.available;
    const payloads = Array.from({ length: before + 3 }, () => randomBytes(4096));
    let completed = 0;
    for (const p of payloads) writer.writeBinary(Buffer.from(p), () => completed++);
    await new Promise((r) => setImmediate(r));
    assert.equal(arena.available, 0, "every slot is in flight");
    socket.release();
    for (let i = 0; i < 10 && completed < payloads.length; i++) await new Promise((r) => setImmediate(r));
    assert.equal(completed, payloads.length);
    assert.equal(arena.available, before, "every slot came back");
    const frames = decodeFrames(socket.bytes);
    assert.deepEqual(
      frames.map((f) => f.payload.toString("hex")),
      payloads.map((p) => p.toString("hex")),
      "slot frames and in-place frames are all intact, in order",
    );
  });

  test("the frame reader streams data payloads and hands every other frame to ws intact, whatever the chunking", () => {
    const data = [0, 10, 300, 70, 70_000, 5, 9, 200_000].map((n) => randomBytes(n));
    const ping = encodeFrame(0x9, Buffer.from("are you there"));
    const text = encodeFrame(0x1, Buffer.from("a text frame goes to ws"));
    const compressed = encodeFrame(0x2, randomBytes(40), { rsv1: true });
    const masked = encodeFrame(0x2, randomBytes(40), { mask: true });
    const close = encodeFrame(0x8, Buffer.from([0x03, 0xe8]));
    const stream = Buffer.concat([
      encodeFrame(0x2, data[0]!),
      encodeFrame(0x2, data[1]!),
      encodeFrame(0x2, data[2]!),
      // A fragmented binary message with a ping in the middle (control frames may interleave).
      encodeFrame(0x2, data[3]!, { fin: false }),
      ping,
      encodeFrame(0x0, data[4]!, { fin: false }),
      encodeFrame(0x0, data[5]!, { fin: false }),
      encodeFrame(0x0, data[6]!),
      // Not ours to stream: ws must see them (and refuse the last two, as it did before).
      text,
      compressed,
      masked,
      encodeFrame(0x2, data[7]!),
      close,
    ]);
    const expectedData = Buffer.concat(data);
    const expectedOther = Buffer.concat([ping, text, compressed, masked, close]);

    for (const chunkSize of [1, 2, 3, 7, 13, 125, 4096, 65_536, stream.length]) {
      const seenData: Buffer[] = [];
      const seenOther: Buffer[] = [];
      const reader = new FrameReader({ data: (c) => seenData.push(Buffer.from(c)), other: (c) => seenOther.push(Buffer.from(c)) });
      for (let pos = 0; pos < stream.length; pos += chunkSize) reader.push(stream.subarray(pos, pos + chunkSize));
      assert.ok(Buffer.concat(seenData).equals(expectedData), `data payloads, chunks of ${chunkSize}`);
      assert.ok(Buffer.concat(seenOther).equals(expectedOther), `other frames byte for byte, chunks of ${chunkSize}`);
    }
    assert.deepEqual(decodeFrames(expectedOther).map((f) => f.opcode), [0x9, 0x1, 0x2, 0x2, 0x8], "ws sees whole frames it can parse");
  });
});
