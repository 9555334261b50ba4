/**
 * Redaction for anything that may reach a log or an error report. Callers should not log secrets in
 * the first place; this is the second line of defence for values embedded in messages from
 * libraries (URLs with tokens, JWTs, PEM blocks).
 */

const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g;
const PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/-]+=*/gi;
const QUERY_SECRET = /([?&](?:token|access_token|aztoken|code|client_secret|sig|password)=)[^&\s"']+/gi;
const WEBTUNNEL = /(\/webtunnel(?:v2)?\/)[^/?\s"']+/gi;
const API_TOKENS = /(\/api\/tokens\/)[^/?\s"']+/gi;

export function redact(text: string, extraSecrets: readonly string[] = []): string {
  let out = text
    .replace(PEM, "<private key redacted>")
    .replace(JWT, "<jwt redacted>")
    .replace(BEARER, "$1 <redacted>")
    .replace(QUERY_SECRET, "$1<redacted>")
    .replace(WEBTUNNEL, "$1<redacted>")
    .replace(API_TOKENS, "$1<redacted>");
  for (const s of extraSecrets) {
    if (s.length >= 4) out = out.split(s).join("<redacted>");
  }
  return out;
}
