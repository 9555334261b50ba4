import { createHash, generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";

const generateRsa = promisify(generateKeyPair);

/**
 * A fresh RSA key pair for one Entra ID SSH certificate, never reused across grants. RSA because
 * Entra certifies RSA keys only (the Azure CLI refuses other types; MSAL.NET documents RSA, 2048
 * bits at least); 3072 bits like `ssh-keygen -t rsa`'s default, which `az ssh vm` uses.
 */
export interface EntraSshKeyPair {
  /** PKCS#8 PEM (OpenSSH reads it); written 0600 or kept in memory, never logged. */
  privateKeyPem: string;
  /** The `req_cnf` value: `{"kty":"RSA","n":…,"e":…,"kid":…}`. */
  requestJwk: string;
  /** The `key_id` value; also what a certificate cache would be keyed on. */
  kid: string;
  /** Raw modulus and exponent (unsigned big-endian), to check that a certificate is for this key. */
  modulus: Buffer;
  exponent: Buffer;
}

export const ENTRA_SSH_KEY_BITS = 3072;

export async function createEntraSshKeyPair(bits = ENTRA_SSH_KEY_BITS): Promise<EntraSshKeyPair> {
  const { publicKey, privateKey } = await generateRsa("rsa", { modulusLength: bits, publicExponent: 0x10001 });
  return describeKeyPair(publicKey, privateKey);
}

function describeKeyPair(publicKey: KeyObject, privateKey: KeyObject): EntraSshKeyPair {
  const jwk = publicKey.export({ format: "jwk" });
  if (typeof jwk.n !== "string" || typeof jwk.e !== "string") throw new Error("RSA public key without n/e");
  // The Azure CLI derives kid as sha256 over n and e; any string is accepted (MSAL.NET docs).
  const kid = createHash("sha256").update(jwk.n + jwk.e).digest("hex");
  return {
    privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    requestJwk: JSON.stringify({ kty: "RSA", n: jwk.n, e: jwk.e, kid }),
    kid,
    modulus: Buffer.from(jwk.n, "base64url"),
    exponent: Buffer.from(jwk.e, "base64url"),
  };
}
