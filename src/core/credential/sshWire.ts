/**
 * The SSH wire encoding (RFC 4251 §5): uint32, length-prefixed strings and mpints. Enough to read
 * the openssh-key-v1 container and to build public key blobs, without a dependency.
 */

/** Thrown on truncated or malformed input; callers turn it into a `SecretUnusable` error. */
export class SshWireError extends Error {
  override readonly name = "SshWireError";
}

export class SshReader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}

  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  uint32(): number {
    if (this.remaining < 4) throw new SshWireError("truncated uint32");
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  bytes(length: number): Buffer {
    if (length > this.remaining) throw new SshWireError("truncated data");
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  string(): Buffer {
    return this.bytes(this.uint32());
  }

  text(): string {
    return this.string().toString("latin1");
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }
}

export class SshWriter {
  private readonly parts: Buffer[] = [];

  uint32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value >>> 0);
    this.parts.push(b);
    return this;
  }

  raw(bytes: Buffer): this {
    this.parts.push(bytes);
    return this;
  }

  string(value: Buffer | string): this {
    const b = typeof value === "string" ? Buffer.from(value, "latin1") : value;
    return this.uint32(b.length).raw(b);
  }

  /** A non-negative mpint from big-endian magnitude bytes: no leading zeros, plus one if the top bit is set. */
  mpint(magnitude: Buffer): this {
    let start = 0;
    while (start < magnitude.length && magnitude[start] === 0) start++;
    const trimmed = magnitude.subarray(start);
    const needsPad = trimmed.length > 0 && ((trimmed[0] ?? 0) & 0x80) !== 0;
    return this.string(needsPad ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}
