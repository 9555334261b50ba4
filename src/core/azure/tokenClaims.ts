/**
 * Reading the claims of our own ARM access token. PIM needs the caller's object id *in the tenant
 * that owns the scope* (a guest has a different `oid` per tenant, azure-protocols §2.1), and the
 * step-up decision needs `amr` (MFA) and `acrs` (authentication contexts). The signature is not
 * checked: the token came from our credential, and Azure checks it anyway.
 */

export interface TokenClaims {
  oid?: string;
  tid?: string;
  /** User principal name, or the closest thing the token carries. */
  upn?: string;
  /** Authentication methods, e.g. ["pwd", "mfa"]. */
  amr: string[];
  /** Satisfied Conditional Access authentication contexts, e.g. ["c1"]. */
  acrs: string[];
  /** Expiry, ms since the epoch. */
  expiresAt?: number;
}

export function decodeTokenClaims(token: string): TokenClaims {
  const payload = token.split(".")[1];
  if (!payload) return { amr: [], acrs: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { amr: [], acrs: [] };
  }
  if (typeof raw !== "object" || raw === null) return { amr: [], acrs: [] };
  const c = raw as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : []);
  return {
    oid: str(c.oid),
    tid: str(c.tid),
    upn: str(c.upn) ?? str(c.unique_name) ?? str(c.preferred_username) ?? str(c.email),
    amr: list(c.amr),
    acrs: list(c.acrs),
    expiresAt: typeof c.exp === "number" ? c.exp * 1000 : undefined,
  };
}

/** What a PIM policy demands of the caller's token before activation. */
export interface TokenRequirements {
  mfa?: boolean;
  authenticationContext?: string;
}

/** The requirements the token does not meet (empty when it meets them all). */
export function missingTokenRequirements(claims: TokenClaims, req: TokenRequirements): TokenRequirements {
  const missing: TokenRequirements = {};
  if (req.mfa && !claims.amr.some((m) => m.toLowerCase() === "mfa")) missing.mfa = true;
  if (req.authenticationContext && !claims.acrs.includes(req.authenticationContext)) missing.authenticationContext = req.authenticationContext;
  return missing;
}
