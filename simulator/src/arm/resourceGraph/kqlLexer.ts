/**
 * Tokenizer for the KQL subset the simulator's Resource Graph understands (see kqlParser.ts).
 * Follows the KQL lexical rules that matter here: identifiers may contain letters, digits and
 * `_` (and `$` for `$skipToken`-like names never appear in queries); strings in single or double
 * quotes with backslash escapes; `//` comments; multi-character operators `==`, `!=`, `=~`, `!~`,
 * `in~`, `!in`, `!in~`.
 */
export type TokenKind = "ident" | "string" | "number" | "op" | "punct" | "eof";

export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset in the query, for error messages. */
  pos: number;
}

export class KqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: number,
    readonly token: string,
  ) {
    super(message);
  }
}

const OPS = ["==", "!=", "=~", "!~", "<=", ">=", "<", ">", "="];
const PUNCT = ["|", ",", "(", ")", "[", "]", "."];

export function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "/" && q[i + 1] === "/") {
      while (i < q.length && q[i] !== "\n") i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const start = i;
      let text = "";
      i++;
      while (i < q.length && q[i] !== c) {
        if (q[i] === "\\" && i + 1 < q.length) {
          const n = q[i + 1]!;
          text += n === "n" ? "\n" : n === "t" ? "\t" : n;
          i += 2;
        } else text += q[i++];
      }
      if (i >= q.length) throw new KqlSyntaxError("Unterminated string literal", start, q.slice(start, start + 10));
      i++;
      out.push({ kind: "string", text, pos: start });
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(q.slice(i))!;
      out.push({ kind: "number", text: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(q.slice(i))!;
      // `in~`, `has_cs` etc.: a trailing ~ belongs to the keyword.
      let text = m[0];
      if (text.toLowerCase() === "in" && q[i + text.length] === "~") text += "~";
      out.push({ kind: "ident", text, pos: i });
      i += text.length;
      continue;
    }
    if (c === "!" && /^!in~?\b|^!in~/i.test(q.slice(i))) {
      const text = q.slice(i, i + 3) + (q[i + 3] === "~" ? "~" : "");
      out.push({ kind: "op", text: text.toLowerCase(), pos: i });
      i += text.length;
      continue;
    }
    const op = OPS.find((o) => q.startsWith(o, i));
    if (op) {
      out.push({ kind: "op", text: op, pos: i });
      i += op.length;
      continue;
    }
    if (PUNCT.includes(c)) {
      out.push({ kind: "punct", text: c, pos: i });
      i++;
      continue;
    }
    throw new KqlSyntaxError(`Unexpected character '${c}'`, i, c);
  }
  out.push({ kind: "eof", text: "", pos: q.length });
  return out;
}
