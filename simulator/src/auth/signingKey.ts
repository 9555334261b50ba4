import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto";

/** The simulator's token-signing key (RSA 2048, RS256), generated per run; published as JWKS. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: { kty: string; use: string; kid: string; x5t: string; n: string; e: string; alg: string };
}

export function createSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const exported = publicKey.export({ format: "jwk" });
  const n = String(exported.n);
  const e = String(exported.e);
  const kid = createHash("sha256").update(n).digest("base64url").slice(0, 27);
  return { kid, privateKey, publicKey, jwk: { kty: "RSA", use: "sig", kid, x5t: kid, n, e, alg: "RS256" } };
}
