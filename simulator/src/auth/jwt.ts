import { createSign, createVerify } from "node:crypto";
import type { SigningKey } from "./signingKey";

export type JwtClaims = Record<string, unknown>;

const b64url = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");

export function signJwt(key: SigningKey, claims: JwtClaims): string {
  const head = b64url({ typ: "JWT", alg: "RS256", kid: key.kid, x5t: key.kid });
  const body = b64url(claims);
  const signer = createSign("RSA-SHA256");
  signer.update(`${head}.${body}`);
  return `${head}.${body}.${signer.sign(key.privateKey).toString("base64url")}`;
}

export type JwtCheck = { ok: true; claims: JwtClaims } | { ok: false; reason: "malformed" | "signature" | "expired" | "notYetValid"; message: string };

/** Clock skew Azure front ends tolerate on exp/nbf. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Verifies an RS256 token signed by `key`, with exp/nbf checked against `nowMs` (the simulated clock). */
export function verifyJwt(key: SigningKey, token: string, nowMs: number): JwtCheck {
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "malformed", message: "The token is not a JWT." };
  const [h, p, s] = parts as [string, string, string];
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(Buffer.from(h, "base64url").toString("utf8"));
    claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed", message: "The token is not valid JSON." };
  }
  if (typeof header !== "object" || header === null || (header as { alg?: unknown }).alg !== "RS256" || typeof claims !== "object" || claims === null) {
    return { ok: false, reason: "malformed", message: "The token must be an RS256 JWT." };
  }
  if ((header as { kid?: unknown }).kid !== key.kid) return { ok: false, reason: "signature", message: "The token was not signed by this simulator (unknown kid)." };
  const verifier = createVerify("RSA-SHA256");
  verifier.update(`${h}.${p}`);
  if (!verifier.verify(key.publicKey, Buffer.from(s, "base64url"))) return { ok: false, reason: "signature", message: "The token signature is invalid." };
  const c = claims as JwtClaims;
  const exp = typeof c.exp === "number" ? c.exp * 1000 : 0;
  const nbf = typeof c.nbf === "number" ? c.nbf * 1000 : 0;
  if (nowMs - CLOCK_SKEW_MS >= exp) {
    return { ok: false, reason: "expired", message: `The access token expiry UTC time '${new Date(exp).toISOString()}' is earlier than current UTC time '${new Date(nowMs).toISOString()}'.` };
  }
  if (nowMs + CLOCK_SKEW_MS < nbf) return { ok: false, reason: "notYetValid", message: `The access token is not valid before '${new Date(nbf).toISOString()}'.` };
  return { ok: true, claims: c };
}

/** Decodes without verifying (for messages only). */
export function peekClaims(token: string): JwtClaims | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    return typeof v === "object" && v !== null ? (v as JwtClaims) : undefined;
  } catch {
    return undefined;
  }
}
