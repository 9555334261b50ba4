/**
 * Recursive-descent parser for a small but real KQL subset (from the KQL grammar):
 *
 *   query     := table ('|' operator)*
 *   table     := 'Resources'                                   (case-insensitive)
 *   operator  := 'where' expr
 *              | 'project' column (',' column)*
 *              | 'extend' name '=' value (',' name '=' value)*
 *              | ('order' | 'sort') 'by' value ('asc' | 'desc')? (',' ...)*   (default desc, as in KQL)
 *              | ('limit' | 'take') number
 *   column    := name '=' value | value
 *   expr      := and ('or' and)*
 *   and       := unary ('and' unary)*
 *   unary     := 'not' '(' expr ')' | compare
 *   compare   := value (('==' | '!=' | '=~' | '!~' | '<' | '<=' | '>' | '>=' | 'contains' | 'startswith' | 'has') value
 *                       | ('in' | 'in~' | '!in' | '!in~') '(' value (',' value)* ')')?
 *   value     := literal | path | func '(' value ')' | '(' expr ')'
 *   path      := name ('.' name | '[' (number | string) ']')*
 *   func      := 'tolower' | 'toupper' | 'tostring'
 */
import { KqlSyntaxError, tokenize, type Token } from "./kqlLexer";

export type Expr =
  | { k: "lit"; v: string | number | boolean | null }
  | { k: "path"; parts: (string | number)[] }
  | { k: "func"; name: "tolower" | "toupper" | "tostring"; arg: Expr }
  | { k: "and" | "or"; l: Expr; r: Expr }
  | { k: "not"; e: Expr }
  | { k: "cmp"; op: string; l: Expr; r: Expr }
  | { k: "in"; op: string; l: Expr; list: Expr[] };

export type Operator =
  | { op: "where"; expr: Expr }
  | { op: "project"; columns: { name: string; value: Expr }[] }
  | { op: "extend"; columns: { name: string; value: Expr }[] }
  | { op: "order"; keys: { value: Expr; desc: boolean }[] }
  | { op: "limit"; count: number };

export interface Query {
  table: string;
  operators: Operator[];
}

const CMP_WORDS = new Set(["contains", "startswith", "has", "endswith"]);

/**
 * How deep parentheses and function calls may nest. The parser is recursive descent: without a
 * bound, 50,000 nested parentheses overflowed the stack and the request failed with a 500. Real
 * Kusto limits recursion too (its error wording is not documented: assumed, see FIDELITY.md); a
 * deeper query gets the usual ParserFailure 400.
 */
export const MAX_KQL_NESTING = 100;
/** `and`/`or` operators per query: a chain is a left-deep tree the evaluator walks recursively. */
export const MAX_KQL_OPERATORS = 1000;

export function parseKql(text: string): Query {
  const toks = tokenize(text);
  let i = 0;
  let depth = 0;
  let logicalOperators = 0;
  const countOperator = (): void => {
    if (++logicalOperators > MAX_KQL_OPERATORS) fail(`The query has more than ${MAX_KQL_OPERATORS} and/or operators`);
  };
  /** Parses a nested part, counting how deep the parser is. */
  const nested = <T>(parse: () => T): T => {
    if (++depth > MAX_KQL_NESTING) fail(`The query nests deeper than ${MAX_KQL_NESTING} levels`);
    try {
      return parse();
    } finally {
      depth--;
    }
  };
  const peek = (): Token => toks[i]!;
  const next = (): Token => toks[i++]!;
  const fail = (msg: string, t: Token = peek()): never => {
    throw new KqlSyntaxError(`${msg} at position ${t.pos}${t.text ? ` near '${t.text}'` : " (end of query)"}`, t.pos, t.text);
  };
  const isWord = (t: Token, w: string): boolean => t.kind === "ident" && t.text.toLowerCase() === w;
  const expectWord = (w: string): void => {
    if (!isWord(peek(), w)) fail(`Expected '${w}'`);
    i++;
  };
  const expectPunct = (p: string): void => {
    const t = peek();
    if (t.kind !== "punct" || t.text !== p) fail(`Expected '${p}'`);
    i++;
  };
  const isPunct = (p: string): boolean => peek().kind === "punct" && peek().text === p;

  const name = (): string => {
    const t = next();
    if (t.kind !== "ident") fail("Expected a column name", t);
    return t.text;
  };

  const value = (): Expr => {
    const t = peek();
    if (t.kind === "string") {
      i++;
      return { k: "lit", v: t.text };
    }
    if (t.kind === "number") {
      i++;
      return { k: "lit", v: Number(t.text) };
    }
    if (t.kind === "punct" && t.text === "(") {
      i++;
      const e = nested(expr);
      expectPunct(")");
      return e;
    }
    if (t.kind === "ident") {
      const lower = t.text.toLowerCase();
      if (lower === "true" || lower === "false") {
        i++;
        return { k: "lit", v: lower === "true" };
      }
      if (lower === "null") {
        i++;
        return { k: "lit", v: null };
      }
      if ((lower === "tolower" || lower === "toupper" || lower === "tostring") && toks[i + 1]?.text === "(") {
        i += 2;
        const arg = nested(expr);
        expectPunct(")");
        return { k: "func", name: lower, arg };
      }
      const parts: (string | number)[] = [name()];
      for (;;) {
        if (isPunct(".")) {
          i++;
          parts.push(name());
        } else if (isPunct("[")) {
          i++;
          const idx = next();
          if (idx.kind === "number") parts.push(Number(idx.text));
          else if (idx.kind === "string") parts.push(idx.text);
          else fail("Expected an index", idx);
          expectPunct("]");
        } else break;
      }
      return { k: "path", parts };
    }
    return fail("Expected a value");
  };

  const compare = (): Expr => {
    const l = value();
    const t = peek();
    if (t.kind === "op" && ["==", "!=", "=~", "!~", "<", "<=", ">", ">="].includes(t.text)) {
      i++;
      return { k: "cmp", op: t.text, l, r: value() };
    }
    if (t.kind === "ident" && CMP_WORDS.has(t.text.toLowerCase())) {
      i++;
      return { k: "cmp", op: t.text.toLowerCase(), l, r: value() };
    }
    const inOp = t.kind === "ident" && ["in", "in~"].includes(t.text.toLowerCase()) ? t.text.toLowerCase() : t.kind === "op" && t.text.startsWith("!in") ? t.text : undefined;
    if (inOp) {
      i++;
      expectPunct("(");
      const list = [value()];
      while (isPunct(",")) {
        i++;
        list.push(value());
      }
      expectPunct(")");
      return { k: "in", op: inOp, l, list };
    }
    return l;
  };
  const unary = (): Expr => {
    if (isWord(peek(), "not") && toks[i + 1]?.text === "(") {
      i += 2;
      const e = nested(expr);
      expectPunct(")");
      return { k: "not", e };
    }
    return compare();
  };
  const and = (): Expr => {
    let l = unary();
    while (isWord(peek(), "and")) {
      countOperator();
      i++;
      l = { k: "and", l, r: unary() };
    }
    return l;
  };
  function expr(): Expr {
    let l = and();
    while (isWord(peek(), "or")) {
      countOperator();
      i++;
      l = { k: "or", l, r: and() };
    }
    return l;
  }

  const columns = (requireName: boolean): { name: string; value: Expr }[] => {
    const cols: { name: string; value: Expr }[] = [];
    do {
      if (cols.length > 0) i++;
      if (peek().kind === "ident" && toks[i + 1]?.kind === "op" && toks[i + 1]?.text === "=") {
        const n = name();
        i++;
        cols.push({ name: n, value: value() });
      } else {
        if (requireName) fail("Expected 'name = value'");
        const v = value();
        if (v.k !== "path") fail("A projected expression needs a name (name = expression)");
        const last = (v as { parts: (string | number)[] }).parts.filter((p) => typeof p === "string").pop() as string;
        cols.push({ name: last, value: v });
      }
    } while (isPunct(","));
    return cols;
  };

  const table = next();
  if (table.kind !== "ident" || table.text.toLowerCase() !== "resources") fail("Only the 'Resources' table is supported", table);
  const operators: Operator[] = [];
  while (peek().kind !== "eof") {
    expectPunct("|");
    const t = next();
    const w = t.kind === "ident" ? t.text.toLowerCase() : "";
    if (w === "where") operators.push({ op: "where", expr: expr() });
    else if (w === "project") operators.push({ op: "project", columns: columns(false) });
    else if (w === "extend") operators.push({ op: "extend", columns: columns(true) });
    else if (w === "order" || w === "sort") {
      expectWord("by");
      const keys: { value: Expr; desc: boolean }[] = [];
      do {
        if (keys.length > 0) i++;
        const v = value();
        let desc = true;
        if (isWord(peek(), "asc")) {
          desc = false;
          i++;
        } else if (isWord(peek(), "desc")) i++;
        keys.push({ value: v, desc });
      } while (isPunct(","));
      operators.push({ op: "order", keys });
    } else if (w === "limit" || w === "take") {
      const n = next();
      if (n.kind !== "number" || !Number.isInteger(Number(n.text))) fail("Expected a row count", n);
      operators.push({ op: "limit", count: Number(n.text) });
    } else fail(`Unsupported operator '${t.text}' (supported: where, project, extend, order by, sort by, limit, take)`, t);
  }
  return { table: table.text, operators };
}
