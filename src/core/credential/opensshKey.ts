import { randomBytes } from "node:crypto";
import { SshReader, SshWireError, SshWriter } from "./sshWire";

/**
 * The openssh-key-v1 container (OpenSSH's PROTOCOL.key): magic, cipher, KDF, KDF options, one
 * public key blob in clear, then the private section (encrypted unless the cipher is `none`).
 * Reading the clear header tells whether a key is passphrase-protected without trying to decrypt
 * it, and gives the public key for logs.
 */

const MAGIC = Buffer.from("openssh-key-v1\0", "latin1");

export interface OpenSshKeyInfo {
  /** `none` for an unencrypted key, e.g. `aes256-ctr` otherwise. */
  cipher: string;
  /** The public key's algorithm name, e.g. `ssh-ed25519`. */
  keyType: string;
  /** The public key blob (SSH wire format). */
  publicBlob: Buffer;
  encrypted: boolean;
}

/** Parses an openssh-key-v1 body. Throws `SshWireError` when it is not one, or is truncated or inconsistent. */
export function parseOpenSshPrivateKey(der: Buffer): OpenSshKeyInfo {
  if (der.length < MAGIC.length || !der.subarray(0, MAGIC.length).equals(MAGIC)) throw new SshWireError("not an openssh-key-v1 key");
  const r = new SshReader(der.subarray(MAGIC.length));
  const cipher = r.text();
  const kdf = r.text();
  r.string(); // KDF options (salt and rounds for bcrypt)
  const count = r.uint32();
  if (count !== 1) throw new SshWireError(`holds ${count} keys instead of one`);
  const publicBlob = r.string();
  const keyType = new SshReader(publicBlob).text();
  const privateSection = r.string();
  if (r.remaining !== 0) throw new SshWireError("trailing data");
  const encrypted = cipher !== "none" || kdf !== "none";
  if (!encrypted) {
    // Unencrypted: check what OpenSSH checks, so a truncated or spliced key is refused here rather
    // than failing later as a confusing "invalid format" from ssh.
    if (privateSection.length % 8 !== 0) throw new SshWireError("private section is not padded");
    const p = new SshReader(privateSection);
    if (p.uint32() !== p.uint32()) throw new SshWireError("check bytes differ");
    if (p.text() !== keyType) throw new SshWireError("private key type differs from the public key");
  }
  return { cipher, keyType, publicBlob, encrypted };
}

/** Public key blob of an Ed25519 key. */
export function ed25519PublicBlob(publicKey: Buffer): Buffer {
  return new SshWriter().string("ssh-ed25519").string(publicKey).toBuffer();
}

/**
 * Encodes an unencrypted Ed25519 key as an OpenSSH private key file. OpenSSH 9.2 cannot read
 * Ed25519 keys in PKCS#8 PEM (OpenSSL's format), so such keys are converted to this format.
 */
export function encodeOpenSshEd25519(seed: Buffer, publicKey: Buffer, comment = ""): string {
  const check = randomBytes(4).readUInt32BE(0);
  const priv = new SshWriter()
    .uint32(check)
    .uint32(check)
    .string("ssh-ed25519")
    .string(publicKey)
    .string(Buffer.concat([seed, publicKey]))
    .string(comment)
    .toBuffer();
  const padding: number[] = [];
  for (let i = 1; (priv.length + padding.length) % 8 !== 0; i++) padding.push(i);
  const body = new SshWriter()
    .raw(MAGIC)
    .string("none")
    .string("none")
    .string("")
    .uint32(1)
    .string(ed25519PublicBlob(publicKey))
    .string(Buffer.concat([priv, Buffer.from(padding)]))
    .toBuffer()
    .toString("base64");
  let wrapped = "";
  for (let i = 0; i < body.length; i += 70) wrapped += `${body.slice(i, i + 70)}\n`;
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${wrapped}-----END OPENSSH PRIVATE KEY-----\n`;
}
