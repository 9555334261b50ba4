/**
 * The `req_cnf` of an Entra SSH-certificate token request: a JWK of the user's RSA public key, as
 * the Azure CLI's ssh extension builds it (`_prepare_jwk_data` in Azure/azure-cli-extensions
 * src/ssh/azext_ssh/custom.py): `{"kty":"RSA","n":…,"e":…,"kid":…}`, base64url of the raw SSH wire
 * fields, padding and the mpint's leading zero byte kept. MSAL.NET documents RSA only, 2048 bits at
 * least (learn.microsoft.com/entra/msal/dotnet/advanced/ssh-certificates). Unpadded values without
 * the leading zero (RFC 7518) are accepted as well.
 */
export interface SshKeyRequest {
  /** The `ssh-rsa` public key line to sign. */
  publicKeyLine: string;
  bits: number;
  kid?: string;
}

export type SshKeyRequestResult = { ok: true; request: SshKeyRequest } | { ok: false; reason: string };

export const MIN_RSA_BITS = 2048;

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

export function parseSshKeyRequest(reqCnf: string | null, keyId: string | null): SshKeyRequestResult {
  if (!reqCnf) return { ok: false, reason: "The request is missing 'req_cnf' (the public key to certify)." };
  let jwk: unknown;
  try {
    jwk = JSON.parse(reqCnf);
  } catch {
    return { ok: false, reason: "'req_cnf' is not a JSON Web Key." };
  }
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) return { ok: false, reason: "'req_cnf' is not a JSON Web Key." };
  const { kty, n, e } = jwk as Record<string, unknown>;
  if (kty !== "RSA") return { ok: false, reason: `Only RSA keys can be certified ('kty' is ${JSON.stringify(kty ?? null)}).` };
  if (typeof n !== "string" || typeof e !== "string" || !BASE64URL.test(n) || !BASE64URL.test(e)) return { ok: false, reason: "The JWK's 'n' or 'e' is not base64url." };
  const modulus = stripLeadingZeros(Buffer.from(n, "base64url"));
  const exponent = stripLeadingZeros(Buffer.from(e, "base64url"));
  if (modulus.length === 0 || exponent.length === 0) return { ok: false, reason: "The JWK's 'n' or 'e' is empty." };
  const bits = bitLength(modulus);
  if (bits < MIN_RSA_BITS) return { ok: false, reason: `The RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required.` };
  if ((exponent[exponent.length - 1]! & 1) === 0) return { ok: false, reason: "The RSA public exponent is not odd." };
  const blob = Buffer.concat([sshString(Buffer.from("ssh-rsa")), sshString(mpint(exponent)), sshString(mpint(modulus))]);
  return { ok: true, request: { publicKeyLine: `ssh-rsa ${blob.toString("base64")}`, bits, ...(keyId ? { kid: keyId } : {}) } };
}

function stripLeadingZeros(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.subarray(i);
}

function bitLength(unsignedBigEndian: Buffer): number {
  return (unsignedBigEndian.length - 1) * 8 + (32 - Math.clz32(unsignedBigEndian[0]!));
}

function mpint(unsignedBigEndian: Buffer): Buffer {
  return (unsignedBigEndian[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), unsignedBigEndian]) : unsignedBigEndian;
}

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}
