import { isObject } from "../util/caseInsensitive";

/**
 * What a token request's `claims` parameter asks of the access token (OIDC claims request
 * syntax): authentication contexts (`acrs`), MFA (`amr`: parsed, but Conditional Access ignores it,
 * as Entra ID documents no such request), and CAE capability (`xms_cc`).
 * MSAL sends `{"access_token":{"xms_cc":{"values":["cp1"]}}, ...}` on every CAE-enabled request
 * (§6.1); step-ups add `{"access_token":{"acrs":{"essential":true,"value":"c1"}}}` (§2.7, §7).
 */
export interface ClaimsRequest {
  acrs: string[];
  mfa: boolean;
  cae: boolean;
  /** The raw JSON, echoed back in `interaction_required` errors. */
  raw?: string;
}

export function parseClaimsRequest(raw: string | null | undefined): ClaimsRequest {
  const out: ClaimsRequest = { acrs: [], mfa: false, cae: false };
  if (!raw) return out;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    try {
      v = JSON.parse(Buffer.from(raw, "base64").toString("utf8"));
    } catch {
      return out;
    }
  }
  out.raw = raw;
  const at = isObject(v) ? v.access_token : undefined;
  if (!isObject(at)) return out;
  const values = (c: unknown): string[] => {
    if (!isObject(c)) return [];
    const list = Array.isArray(c.values) ? c.values : c.value !== undefined ? [c.value] : [];
    return list.filter((x): x is string => typeof x === "string");
  };
  out.acrs = values(at.acrs);
  out.mfa = values(at.amr).some((x) => x.toLowerCase() === "mfa");
  out.cae = values(at.xms_cc).includes("cp1");
  return out;
}

export function mergeClaims(a: ClaimsRequest, b: ClaimsRequest): ClaimsRequest {
  return { acrs: [...new Set([...a.acrs, ...b.acrs])], mfa: a.mfa || b.mfa, cae: a.cae || b.cae, raw: b.raw ?? a.raw };
}
