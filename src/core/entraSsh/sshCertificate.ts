import { JitError } from "../errors";

/**
 * What the product reads from an Entra SSH certificate (the `access_token` of an `ssh-cert` token
 * response: the base64 OpenSSH certificate blob without its type prefix). The wire format is
 * OpenSSH's PROTOCOL.certkeys; only `ssh-rsa-cert-v01@openssh.com` is expected, since Entra
 * certifies RSA keys. Parsed here rather than with `ssh-keygen -L`, so no process sees it.
 */
export interface EntraSshCertificate {
  /** The blob as received (base64). */
  blob: string;
  keyId: string;
  principals: string[];
  /** ms since the epoch. */
  validAfter: number;
  validBefore: number;
}

export const RSA_CERT_TYPE = "ssh-rsa-cert-v01@openssh.com";

class Reader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  bytes(): Buffer {
    const len = this.uint32();
    if (this.offset + len > this.buf.length) throw new Error("truncated");
    const out = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return out;
  }
  uint32(): number {
    if (this.offset + 4 > this.buf.length) throw new Error("truncated");
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  uint64(): bigint {
    if (this.offset + 8 > this.buf.length) throw new Error("truncated");
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
}

const stripZeros = (b: Buffer): Buffer => {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.subarray(i);
};

/** Reads the certificate and checks that it certifies `key` (a certificate for another key is useless and suspicious). */
export function parseEntraSshCertificate(blob: string, key: { modulus: Buffer; exponent: Buffer }): EntraSshCertificate {
  try {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) throw new Error("not base64");
    const r = new Reader(Buffer.from(blob, "base64"));
    const type = r.bytes().toString("latin1");
    if (type !== RSA_CERT_TYPE) throw new Error(`unexpected certificate type ${JSON.stringify(type.slice(0, 40))}`);
    r.bytes(); // nonce
    const e = stripZeros(r.bytes());
    const n = stripZeros(r.bytes());
    if (!e.equals(stripZeros(key.exponent)) || !n.equals(stripZeros(key.modulus))) throw new Error("the certificate is for another key");
    r.uint64(); // serial
    if (r.uint32() !== 1) throw new Error("not a user certificate");
    const keyId = r.bytes().toString("utf8");
    const packed = new Reader(r.bytes());
    const principals: string[] = [];
    for (;;) {
      try {
        principals.push(packed.bytes().toString("utf8"));
      } catch {
        break;
      }
    }
    const after = r.uint64();
    const before = r.uint64();
    // "forever" is 2^64-1 seconds: anything beyond what a Date holds counts as no end.
    const toMs = (v: bigint): number => (v > 8_640_000_000_000n ? Number.MAX_SAFE_INTEGER : Number(v) * 1000);
    return { blob, keyId, principals, validAfter: toMs(after), validBefore: toMs(before) };
  } catch (e) {
    throw new JitError("EntraCertificateInvalid", "Microsoft Entra ID returned an SSH certificate the extension cannot use. Try again; if it persists, sign out and in again.", { cause: e });
  }
}

/** The certificate as an OpenSSH public-key line (what `CertificateFile` holds). */
export function certificateLine(cert: EntraSshCertificate): string {
  return `${RSA_CERT_TYPE} ${cert.blob}`;
}
