/**
 * Bearer-token validation for ARM (§0.2, §6.3, §7): RS256 signature with the simulator's key,
 * exp/nbf on the simulated clock (5 min skew), audience ∈ ARM audiences, and the token's tenant
 * must own the subscription in the path. Failures answer 401 with ARM's error codes and a
 * `WWW-Authenticate: Bearer authorization_uri=..., error="invalid_token"` challenge.
 */
import { verifyJwt } from "../auth/jwt";
import type { SigningKey } from "../auth/signingKey";
import { HttpError } from "../http/errors";
import { header, type SimRequest } from "../http/request";
import type { Caller } from "../world/rbac";

export function callerFromClaims(claims: Record<string, unknown>): Caller {
  const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  const isUser = claims.idtyp !== "app" && typeof claims.upn === "string";
  return {
    kind: isUser ? "user" : "servicePrincipal",
    tenantId: String(claims.tid ?? ""),
    objectId: String(claims.oid ?? ""),
    name: String(isUser ? claims.upn : (claims.appid ?? claims.oid ?? "")),
    appId: String(claims.appid ?? ""),
    amr: strs(claims.amr),
    acrs: strs(claims.acrs),
    cae: strs(claims.xms_cc).includes("cp1"),
    issuedAt: typeof claims.iat === "number" ? claims.iat * 1000 : 0,
  };
}

export type TokenCheck = { ok: true; caller: Caller; claims: Record<string, unknown> } | { ok: false; code: string; message: string; description: string };

/** Validates a raw token for an audience predicate; shared by ARM, Key Vault and the Bastion authority. */
export function checkToken(key: SigningKey, token: string, nowMs: number, audienceOk: (aud: string) => boolean, allowedText: string): TokenCheck {
  const r = verifyJwt(key, token, nowMs);
  if (!r.ok) {
    const code = r.reason === "expired" ? "ExpiredAuthenticationToken" : "InvalidAuthenticationToken";
    return { ok: false, code, message: r.reason === "expired" ? r.message : `The access token is invalid. ${r.message}`, description: r.message };
  }
  const aud = String(r.claims.aud ?? "");
  if (!audienceOk(aud)) {
    return {
      ok: false,
      code: "InvalidAuthenticationTokenAudience",
      message: `The access token has been obtained for wrong audience or resource '${aud}'. It should exactly match with one of the allowed audiences ${allowedText}.`,
      description: "The access token has been obtained for wrong audience or resource.",
    };
  }
  return { ok: true, caller: callerFromClaims(r.claims), claims: r.claims };
}

export function bearerToken(req: SimRequest): string | undefined {
  const h = header(req, "authorization");
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

export function armUnauthorized(loginOrigin: string, tenant: string, code: string, message: string, description: string): HttpError {
  return new HttpError(401, code, message, {
    "WWW-Authenticate": `Bearer authorization_uri="${loginOrigin}/${tenant}", error="invalid_token", error_description="${description.replace(/"/g, "'")}"`,
  });
}
