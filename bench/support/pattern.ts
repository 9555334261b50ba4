import { createHash } from "node:crypto";

/**
 * The byte pattern raw transfers carry: a 64 KiB pseudo-random block (the same in every process)
 * repeated. Random so that masking or ordering bugs cannot hide (zeros XOR a mask show nothing
 * wrong once unmasked twice); repeated so that checking a chunk is a memcmp against the block,
 * cheap enough not to slow the transfer being measured.
 */
export const BLOCK_SIZE = 64 * 1024;

export const BLOCK: Buffer = (() => {
  const parts: Buffer[] = [];
  for (let i = 0; i < BLOCK_SIZE / 32; i++) parts.push(createHash("sha256").update(`azure-jit-connect bench ${i}`).digest());
  return Buffer.concat(parts);
})();

/** Checks that `chunk` is the pattern starting at absolute stream offset `offset`. */
export function matchesPattern(chunk: Buffer, offset: number): boolean {
  let pos = 0;
  let at = offset % BLOCK_SIZE;
  while (pos < chunk.length) {
    const n = Math.min(chunk.length - pos, BLOCK_SIZE - at);
    if (chunk.compare(BLOCK, at, at + n, pos, pos + n) !== 0) return false;
    pos += n;
    at = 0;
  }
  return true;
}

/** Writes `total` bytes of the pattern to `out`, honouring backpressure; resolves when all are queued. */
export async function writePattern(out: NodeJS.WritableStream & { writableNeedDrain?: boolean }, total: number, onProgress?: (sent: number) => void): Promise<void> {
  let sent = 0;
  while (sent < total) {
    const n = Math.min(BLOCK_SIZE - (sent % BLOCK_SIZE), total - sent);
    // Slices of BLOCK itself: what we write crosses a process boundary, nobody modifies it.
    const chunk = n === BLOCK_SIZE ? BLOCK : BLOCK.subarray(sent % BLOCK_SIZE, (sent % BLOCK_SIZE) + n);
    sent += n;
    onProgress?.(sent);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
}
