/**
 * Splits a byte stream into `\n`-terminated UTF-8 lines with a hard bound on line length, so that a
 * peer sending garbage without newlines cannot make the reader buffer without limit.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxLineBytes: number) {}

  /**
   * Feeds one chunk. Returns the complete lines it finished (without the `\n`, `\r` trimmed), and
   * `overflow: true` once a line exceeds the bound; after an overflow the caller should drop the peer.
   */
  push(chunk: Buffer): { lines: string[]; overflow: boolean } {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const part = chunk.subarray(start, nl);
      if (this.pendingBytes + part.length > this.maxLineBytes) return { lines, overflow: true };
      const line = this.pending.length === 0 ? part : Buffer.concat([...this.pending, part]);
      this.pending = [];
      this.pendingBytes = 0;
      lines.push(line.toString("utf8").replace(/\r$/, ""));
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (this.pendingBytes + rest.length > this.maxLineBytes) return { lines, overflow: true };
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    return { lines, overflow: false };
  }

  /** Bytes received after the last complete line. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }
}
