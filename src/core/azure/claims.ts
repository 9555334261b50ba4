/**
 * OIDC claims requests (`{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`): where they come
 * from (a CAE `WWW-Authenticate` challenge, PIM's `RoleAssignmentRequestAcrsValidationFailed` message,
 * a PIM MFA rule) and whether one asks for more than the client capability `xms_cc` that every SDK
 * token request carries (azure-protocols §6.1, §7).
 */

type ClaimsObject = Record<string, Record<string, unknown>>;

function parseClaims(claims: string): ClaimsObject | undefined {
  try {
    const parsed: unknown = JSON.parse(claims);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
    const out: ClaimsObject = {};
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v === "object" && v !== null && !Array.isArray(v)) out[k] = v as Record<string, unknown>;
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Claims MSAL adds on its own, which need no user interaction. */
const PASSIVE_CLAIMS: Record<string, readonly string[]> = {
  access_token: ["xms_cc"],
  id_token: ["signin_state", "login_hint"],
};

/**
 * True when `claims` asks for something beyond the passive CAE capability claims: an authentication
 * context, MFA, a fresh sign-in after revocation (`nbf`)... That needs the user, so it goes through
 * the step-up handler instead of a silent token request.
 */
export function claimsNeedStepUp(claims: string | undefined): boolean {
  if (!claims?.trim()) return false;
  const parsed = parseClaims(claims);
  if (!parsed) return true; // unparsable claims are passed on rather than dropped
  for (const [token, requested] of Object.entries(parsed)) {
    const passive = PASSIVE_CLAIMS[token] ?? [];
    if (Object.keys(requested).some((name) => !passive.includes(name))) return true;
  }
  return false;
}

/**
 * True when `claims` asks only for a token issued after some moment (`access_token.nbf`, plus the
 * passive capability claims): the shape of a CAE challenge after a critical event (sessions revoked,
 * password changed, network location changed). A silent refresh satisfies it unless the sign-in itself
 * was revoked, in which case only a new sign-in helps; no authentication context or MFA is asked for.
 */
export function claimsAskOnlyFreshToken(claims: string | undefined): boolean {
  if (!claims?.trim()) return false;
  const parsed = parseClaims(claims);
  if (!parsed) return false;
  const entries = Object.entries(parsed);
  return (
    entries.length > 0 &&
    entries.every(([token, requested]) => (token === "access_token" ? Object.keys(requested).every((n) => n === "nbf" || n === "xms_cc") : (PASSIVE_CLAIMS[token] ?? []).length > 0 && Object.keys(requested).every((n) => PASSIVE_CLAIMS[token]!.includes(n)))) &&
    "nbf" in (parsed.access_token ?? {})
  );
}

/** The claims request for an authentication context (what PIM asks for in §2.7). */
export function authContextClaims(claimValue: string): string {
  return JSON.stringify({ access_token: { acrs: { essential: true, value: claimValue } } });
}

/** Merges claims requests (e.g. MFA and an authentication context) into one. */
export function mergeClaims(...requests: (string | undefined)[]): string {
  const merged: ClaimsObject = {};
  for (const r of requests) {
    const parsed = r ? parseClaims(r) : undefined;
    if (!parsed) continue;
    for (const [token, claims] of Object.entries(parsed)) merged[token] = { ...(merged[token] ?? {}), ...claims };
  }
  return JSON.stringify(merged);
}

/**
 * Extracts the claims request from a PIM `RoleAssignmentRequestAcrsValidationFailed` message, which
 * carries it URL-encoded after `claims=` (azure-protocols §2.7). Returns the decoded JSON text.
 */
export function claimsFromPimMessage(message: string): string | undefined {
  const m = /[?&]?claims=([^&\s"]+)/i.exec(message);
  if (!m?.[1]) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(m[1].replace(/\+/g, " "));
  } catch {
    return undefined;
  }
  return parseClaims(decoded) ? decoded : undefined;
}

/** The authentication context values (`acrs`) a claims request asks for. */
export function requestedAuthContexts(claims: string): string[] {
  const acrs = parseClaims(claims)?.access_token?.acrs;
  if (typeof acrs !== "object" || acrs === null) return [];
  const { value, values } = acrs as { value?: unknown; values?: unknown };
  const out: string[] = [];
  if (typeof value === "string") out.push(value);
  if (Array.isArray(values)) out.push(...values.filter((v): v is string => typeof v === "string"));
  return out;
}

/**
 * Extracts the decoded claims from a `WWW-Authenticate` header (CAE challenge): the `claims`
 * parameter is base64 JSON (azure-protocols §7).
 */
export function claimsFromChallenge(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const m = /claims="([^"]+)"/i.exec(header);
  if (!m?.[1]) return undefined;
  const raw = m[1];
  if (raw.trim().startsWith("{")) return raw;
  try {
    const decoded = Buffer.from(raw, "base64").toString("utf8");
    return parseClaims(decoded) ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A synthetic `WWW-Authenticate` value carrying `claims`, for VS Code's
 * `authentication.getSession({wwwAuthenticate})`, which understands challenges only.
 */
export function claimsToChallenge(claims: string): string {
  return `Bearer error="insufficient_claims", claims="${Buffer.from(claims, "utf8").toString("base64")}"`;
}
