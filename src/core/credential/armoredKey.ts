/**
 * Repairs what storing a key file in Key Vault commonly does to it, then re-armours it canonically.
 * Accepted manglings (each one is reported, so a log line can say what was repaired):
 * - `crlf`: Windows line endings (or lone CRs) → LF.
 * - `escaped-newlines`: the two characters `\n` instead of line breaks (a key pasted into JSON or an
 *   ARM template).
 * - `base64`: the whole key file base64-encoded once (`base64 -w0 id_ed25519`, a common way to dodge
 *   the portal's newline handling). Only when the decoded text is itself an armoured private key.
 * - `rewrapped`: a body on one line, with spaces instead of line breaks (the portal's single-line
 *   secret box), wrapped at another width, or with stray blank lines / indentation.
 * - `trailing-newline`: a missing final newline (ssh-keygen refuses some keys without it) or extra ones.
 * Anything else (text around the key, two keys, bad base64) is refused by the caller.
 */

export type KeyRepair = "crlf" | "escaped-newlines" | "base64" | "rewrapped" | "trailing-newline";

/** One `-----BEGIN <label>-----` … `-----END <label>-----` block, decoded. */
export interface ArmoredBlock {
  /** e.g. `OPENSSH PRIVATE KEY`, `RSA PRIVATE KEY`, `PRIVATE KEY`. */
  label: string;
  /** RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`) of legacy PEM, if any. */
  headers: string[];
  /** The decoded body. */
  der: Buffer;
  /** The block re-armoured canonically: 70 columns for OpenSSH keys, 64 for PEM, one final LF. */
  canonical: string;
  repairs: KeyRepair[];
}

/** Why a value that looks like an armoured key could not be read as one. */
export type ArmorProblem = "text-outside" | "several-blocks" | "unterminated" | "bad-base64";

const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/;
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;

/** True when the value looks like armoured text (possibly mangled), as opposed to a password. */
export function looksArmored(value: string): boolean {
  return value.includes("-----BEGIN ") || decodeBase64Armor(value) !== undefined;
}

function decodeBase64Armor(value: string): string | undefined {
  const compact = value.replace(/\s+/g, "");
  if (compact.length < 64 || compact.length % 4 !== 0 || !BASE64_BODY.test(compact)) return undefined;
  const decoded = Buffer.from(compact, "base64").toString("utf8");
  return decoded.includes("-----BEGIN ") && /PRIVATE KEY-----/.test(decoded) ? decoded : undefined;
}

function wrap(base64: string, width: number): string {
  let out = "";
  for (let i = 0; i < base64.length; i += width) out += `${base64.slice(i, i + width)}\n`;
  return out;
}

/** Parses and repairs an armoured value; returns the problem instead when it cannot. */
export function readArmoredBlock(value: string): ArmoredBlock | ArmorProblem {
  const repairs: KeyRepair[] = [];
  let text = value;
  if (!text.includes("-----BEGIN ")) {
    const decoded = decodeBase64Armor(text);
    if (decoded !== undefined) {
      text = decoded;
      repairs.push("base64");
    }
  }
  if (/\r/.test(text)) {
    text = text.replace(/\r\n?/g, "\n");
    repairs.push("crlf");
  }
  if (/\\n/.test(text)) {
    // Base64 never contains a backslash, so these can only be escaped line breaks.
    text = text.replace(/\\r\\n|\\n/g, "\n");
    repairs.push("escaped-newlines");
  }
  const begin = BEGIN.exec(text);
  if (!begin?.[1]) return "unterminated";
  const label = begin[1].trim();
  const endMarker = `-----END ${label}-----`;
  const endAt = text.indexOf(endMarker, begin.index);
  if (endAt < 0) return "unterminated";
  const before = text.slice(0, begin.index);
  const after = text.slice(endAt + endMarker.length);
  if (before.trim() !== "" || after.trim() !== "") return after.includes("-----BEGIN ") ? "several-blocks" : "text-outside";
  const inner = text.slice(begin.index + begin[0].length, endAt);

  // Legacy PEM headers end at the first blank line; on one line they are just "Name: value" runs.
  const headers = [...inner.matchAll(/(Proc-Type|DEK-Info):\s*([^\s]+)/g)].map((m) => `${m[1] ?? ""}: ${m[2] ?? ""}`);
  const bodyText = inner.replace(/(Proc-Type|DEK-Info):\s*[^\s]+/g, "");
  const body = bodyText.replace(/\s+/g, "");
  if (body.length === 0 || !BASE64_BODY.test(body) || body.length % 4 !== 0) return "bad-base64";

  const width = label === "OPENSSH PRIVATE KEY" ? 70 : 64;
  const headerText = headers.length > 0 ? `${headers.join("\n")}\n\n` : "";
  const canonical = `-----BEGIN ${label}-----\n${headerText}${wrap(body, width)}${endMarker}\n`;
  const original = text.slice(begin.index);
  const oneFinalNewline = original.replace(/\s*$/, "\n");
  if (oneFinalNewline !== canonical) repairs.push("rewrapped");
  if (original !== oneFinalNewline) repairs.push("trailing-newline");
  return { label, headers, der: Buffer.from(body, "base64"), canonical, repairs };
}
