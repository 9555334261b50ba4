/**
 * Unmasking client data for the relay with 128-bit SIMD (a tiny WebAssembly module, assembled
 * below), and the batches it is written to the VM from.
 *
 * Every byte a client uploads is masked (RFC 6455 §5.3). The simulated Bastion runs on the same
 * cores as the tunnel and ssh in the benchmarks, so its cost is everybody's: JavaScript XORs about
 * 0.3 ns/byte 32 bits at a time, this about 0.04 ns/byte including the copy into WebAssembly memory.
 * The copy is also what batches the client's data: TLS hands it over one record (≤ 16 KiB) at a
 * time; appended unmasked to one batch per event-loop turn, it reaches the VM in one write.
 */

import { unmaskInPlace } from "./unmask";

const PAGES = 256; // 16 MiB of linear memory, fixed (views of it never detach)

function leb128(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function section(id: number, bytes: number[]): number[] {
  return [id, ...leb128(bytes.length), ...bytes];
}

function name(text: string): number[] {
  return [...leb128(text.length), ...[...text].map((c) => c.charCodeAt(0))];
}

/**
 * (func (export "xor") (param $p i32) (param $n i32) (param $k i32): XORs [p, p + roundUp(n, 64))
 * with the 32-bit little-endian key $k repeated, four 16-byte lanes per loop turn.
 */
function moduleBytes(): Uint8Array {
  const GET = 0x20;
  const SET = 0x21;
  const SIMD = 0xfd;
  const lane = (offset: number): number[] => [GET, 0, GET, 0, SIMD, 0x00, 0, ...leb128(offset), GET, 3, SIMD, 0x51, SIMD, 0x0b, 0, ...leb128(offset)];
  const body = [
    2, 1, 0x7b, 1, 0x7f,
    GET, 2, SIMD, 0x11, SET, 3,
    GET, 0, GET, 1, 0x6a, SET, 4,
    0x02, 0x40, 0x03, 0x40,
    GET, 0, GET, 4, 0x4f, 0x0d, 1,
    ...lane(0), ...lane(16), ...lane(32), ...lane(48),
    GET, 0, 0x41, 0xc0, 0x00, 0x6a, SET, 0,
    0x0c, 0, 0x0b, 0x0b, 0x0b,
  ];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, ...leb128(PAGES)]),
    ...section(7, [2, ...name("mem"), 0x02, 0, ...name("xor"), 0x00, 0]),
    ...section(10, [1, ...leb128(body.length), ...body]),
  ]);
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: { mem?: { buffer: ArrayBuffer }; xor?: (offset: number, length: number, key: number) => void } };
}

interface Simd {
  memory: Buffer;
  xor(offset: number, length: number, key: number): void;
}

let simd: Simd | null | undefined;

function loadSimd(): Simd | null {
  if (simd !== undefined) return simd;
  simd = null;
  try {
    const api = Reflect.get(globalThis, "WebAssembly") as WebAssemblyApi | undefined;
    const exports = api ? new api.Instance(new api.Module(moduleBytes())).exports : undefined;
    if (exports?.mem && exports.xor) {
      const memory = Buffer.from(exports.mem.buffer);
      memory.fill(0x5a, 0, 64);
      exports.xor(0, 1, 0x04030201);
      if (memory[0] === (0x5a ^ 1) && memory[3] === (0x5a ^ 4) && memory[63] === (0x5a ^ 4)) simd = { memory, xor: exports.xor };
    }
  } catch {
    // JavaScript fallback below.
  }
  return simd;
}

/** The 32-bit little-endian key that XORs a chunk starting at byte `maskOffset` of its frame. */
function rotatedKey(mask: Buffer, maskOffset: number): number {
  const o = maskOffset & 3;
  return (mask[o]! | (mask[(o + 1) & 3]! << 8) | (mask[(o + 2) & 3]! << 16) | (mask[(o + 3) & 3]! << 24)) | 0;
}

const BATCH_BYTES = 128 * 1024;
const MARGIN = 64;
const SLOT_BYTES = BATCH_BYTES + MARGIN;

/** Batch memory shared by every relay of the process: slots of the SIMD module's memory. */
class SlotPool {
  private readonly free: number[] = [];
  constructor(readonly simd: Simd) {
    const count = Math.floor(simd.memory.length / SLOT_BYTES);
    for (let i = count - 1; i >= 0; i--) this.free.push(i * SLOT_BYTES);
  }
  take(): number | undefined {
    return this.free.pop();
  }
  give(slot: number): void {
    this.free.push(slot);
  }
}

let pool: SlotPool | null | undefined;

function slotPool(): SlotPool | null {
  if (pool === undefined) {
    const s = process.env.AZSIM_AB_NOSIMD ? null : loadSimd();
    pool = s ? new SlotPool(s) : null;
  }
  return pool;
}

/**
 * Collects unmasked client data for one relay and writes it in one piece per event-loop turn (or
 * when a batch is full). `write` must call its callback once the bytes are no longer needed.
 */
export class UnmaskingBatcher {
  private slot: number | undefined;
  /** Fallback batch when SIMD is unavailable or every slot is in flight. */
  private heap: Buffer | undefined;
  private fill = 0;
  private scheduled = false;

  constructor(private readonly write: (data: Buffer, done: () => void) => void) {}

  /** Appends `chunk` (still masked with `mask`, starting at byte `maskOffset` of its frame). */
  append(chunk: Buffer, mask: Buffer, maskOffset: number, maskIsZero: boolean): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.slot === undefined && this.heap === undefined) this.open();
      const n = Math.min(chunk.length - pos, BATCH_BYTES - this.fill);
      const piece = chunk.subarray(pos, pos + n);
      if (this.slot !== undefined) {
        const s = pool!.simd;
        const at = this.slot + this.fill;
        piece.copy(s.memory, at);
        if (!maskIsZero) s.xor(at, n, rotatedKey(mask, maskOffset + pos));
      } else {
        const target = this.heap!.subarray(this.fill, this.fill + n);
        piece.copy(target);
        if (!maskIsZero) unmaskInPlace(target, mask, maskOffset + pos);
      }
      this.fill += n;
      pos += n;
      if (this.fill === BATCH_BYTES) this.flush();
    }
    if (!this.scheduled && this.fill > 0) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Writes what is batched now (also before the relay ends the VM connection). */
  flush(): void {
    if (this.fill === 0) return;
    const bytes = this.fill;
    this.fill = 0;
    if (this.slot !== undefined) {
      const slot = this.slot;
      this.slot = undefined;
      this.write(pool!.simd.memory.subarray(slot, slot + bytes), () => pool!.give(slot));
    } else if (this.heap) {
      const heap = this.heap;
      this.heap = undefined;
      this.write(heap.subarray(0, bytes), () => undefined);
    }
  }

  private open(): void {
    const p = slotPool();
    const slot = p?.take();
    if (slot !== undefined) this.slot = slot;
    else this.heap = Buffer.allocUnsafe(BATCH_BYTES);
  }
}
