/**
 * VM names, tags and user names come from Azure, where anyone with tag-write or VM-write access can
 * choose them. When one has to appear in a message or a comment, it is shown through these helpers
 * so that it cannot fake a line break, a terminal escape or a right-to-left override.
 */

const MAX_SHOWN = 80;

/**
 * A quoted, ASCII-only rendering of an untrusted value for error messages and logs: control and
 * non-ASCII characters are shown as `\uXXXX`, and long values are cut (with their length given).
 */
export function describeUntrusted(value: string): string {
  const cut = value.length > MAX_SHOWN ? value.slice(0, MAX_SHOWN) : value;
  let out = "";
  for (const ch of cut) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else out += code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`;
  }
  const suffix = value.length > MAX_SHOWN ? `… (${value.length} characters)` : "";
  return `"${out}"${suffix}`;
}

/**
 * A comment-safe label for a generated file: only letters, digits and `._-()` plus spaces survive,
 * everything else becomes `?`. A comment line cannot carry a directive, but it must not carry a
 * line break either, and it should stay readable in any editor.
 */
export function commentSafe(value: string, max = 60): string {
  const cleaned = Array.from(value)
    .slice(0, max)
    .map((ch) => (/^[A-Za-z0-9._() -]$/.test(ch) ? ch : "?"))
    .join("")
    .trim();
  return cleaned.length > 0 ? cleaned : "?";
}
