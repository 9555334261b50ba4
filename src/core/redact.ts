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

/**
 * Control characters (C0, DEL, C1), invisible format characters (bidi overrides and isolates such
 * as U+202E, zero-width characters, BOM) and line/paragraph separators, which let a VM name or tag
 * fake a log line, recolour a terminal or reverse the text around it.
 */
const UNSAFE_FOR_DISPLAY = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * The one escaping of text bound for a person (log file, tunnel stderr, notifications, reports):
 * every character of UNSAFE_FOR_DISPLAY becomes a visible `\uXXXX`; everything else is kept, so
 * ordinary names read as they are. `keepNewlines` keeps LF where the output is multi-line by design
 * (a modal's detail); CR is always escaped. Markdown, shell and SSH config have their own escaping
 * on top of this.
 */
export function escapeForDisplay(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(UNSAFE_FOR_DISPLAY, (ch) => {
    if (options.keepNewlines && ch === "\n") return ch;
    const code = ch.codePointAt(0) ?? 0;
    return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
