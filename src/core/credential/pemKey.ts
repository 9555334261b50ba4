import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import { ed25519PublicBlob, encodeOpenSshEd25519 } from "./opensshKey";
import { SshWriter } from "./sshWire";

/**
 * PEM private keys (PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY`, PKCS#8 `PRIVATE KEY`), read
 * with node:crypto, which validates the key's structure, and described in SSH terms.
 */

/** What we need from a PEM key to use it with OpenSSH. */
export interface PemKeyInfo {
  /** The SSH algorithm name, e.g. `ssh-rsa`, `ecdsa-sha2-nistp256`, `ssh-ed25519`. */
  keyType: string;
  publicBlob: Buffer;
  /** Set when OpenSSH cannot read the PEM form, with the key re-encoded in OpenSSH's own format. */
  opensshText?: string;
}

/** A PEM key OpenSSH cannot use, with the reason for the user. */
export interface PemKeyProblem {
  problem: string;
}

const PEM_TYPES: Record<string, "pkcs1" | "sec1" | "pkcs8"> = {
  "RSA PRIVATE KEY": "pkcs1",
  "EC PRIVATE KEY": "sec1",
  "PRIVATE KEY": "pkcs8",
};
const CURVES: Record<string, string> = { "P-256": "nistp256", "P-384": "nistp384", "P-521": "nistp521" };
/** OpenSSH refuses shorter RSA keys (SSH_RSA_MINIMUM_MODULUS_SIZE). */
const MIN_RSA_BITS = 1024;

/** The node:crypto DER type for a PEM label, or undefined when the label is not a private key we read. */
export function pemTypeOf(label: string): "pkcs1" | "sec1" | "pkcs8" | undefined {
  return PEM_TYPES[label];
}

function b64url(value: string | undefined): Buffer {
  return Buffer.from(value ?? "", "base64url");
}

/** Reads a PEM private key body; returns the problem when node cannot read it or OpenSSH cannot use it. */
export function describePemKey(der: Buffer, type: "pkcs1" | "sec1" | "pkcs8"): PemKeyInfo | PemKeyProblem {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: der, format: "der", type });
  } catch {
    return { problem: "the PEM key is damaged (its structure cannot be read)" };
  }
  const publicKey = createPublicKey(key);
  // OpenSSL reads an RSA key whose numbers were damaged (it does not check n = p·q); a signature
  // that does not verify with the key's own public half proves the damage before ssh meets it.
  const probe = randomBytes(32);
  const digest = key.asymmetricKeyType === "ed25519" ? null : "sha256";
  try {
    if (!verify(digest, probe, publicKey, sign(digest, probe, key))) return { problem: "the PEM key is damaged (its private and public halves do not match)" };
  } catch {
    return { problem: "the PEM key is damaged (it cannot sign)" };
  }
  const jwk = publicKey.export({ format: "jwk" });
  switch (key.asymmetricKeyType) {
    case "rsa": {
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS) return { problem: `the RSA key has ${bits} bits; OpenSSH needs at least ${MIN_RSA_BITS}` };
      return { keyType: "ssh-rsa", publicBlob: new SshWriter().string("ssh-rsa").mpint(b64url(jwk.e)).mpint(b64url(jwk.n)).toBuffer() };
    }
    case "ec": {
      const curve = CURVES[jwk.crv ?? ""];
      if (!curve) return { problem: `the EC key uses curve ${jwk.crv ?? "unknown"}; OpenSSH supports P-256, P-384 and P-521` };
      const point = Buffer.concat([Buffer.from([4]), b64url(jwk.x), b64url(jwk.y)]);
      const keyType = `ecdsa-sha2-${curve}`;
      return { keyType, publicBlob: new SshWriter().string(keyType).string(curve).string(point).toBuffer() };
    }
    case "ed25519": {
      const raw = b64url(jwk.x);
      const seed = b64url(key.export({ format: "jwk" }).d);
      return { keyType: "ssh-ed25519", publicBlob: ed25519PublicBlob(raw), opensshText: encodeOpenSshEd25519(seed, raw) };
    }
    default:
      return { problem: `${key.asymmetricKeyType ?? "this"} keys are not supported by OpenSSH here; use Ed25519, RSA or ECDSA` };
  }
}
