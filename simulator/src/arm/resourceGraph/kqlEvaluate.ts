/** Evaluation of parsed KQL over JSON rows (see kqlParser.ts for the subset). */
import type { Expr, Query } from "./kqlParser";

export type Row = Record<string, unknown>;

export function evaluate(e: Expr, row: Row): unknown {
  switch (e.k) {
    case "lit":
      return e.v;
    case "path": {
      let cur: unknown = row;
      for (const p of e.parts) {
        if (cur === null || cur === undefined) return null;
        if (typeof p === "number") cur = Array.isArray(cur) ? cur[p] : undefined;
        else if (typeof cur === "object" && !Array.isArray(cur)) {
          // Column and property names are case-sensitive in KQL, but ARM property casing varies
          // between resource providers; fall back to a case-insensitive match.
          const o = cur as Record<string, unknown>;
          if (p in o) cur = o[p];
          else {
            const key = Object.keys(o).find((k) => k.toLowerCase() === p.toLowerCase());
            cur = key === undefined ? undefined : o[key];
          }
        } else return null;
      }
      return cur ?? null;
    }
    case "func": {
      const v = evaluate(e.arg, row);
      const s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
      return e.name === "tolower" ? s.toLowerCase() : e.name === "toupper" ? s.toUpperCase() : s;
    }
    case "and":
      return truthy(evaluate(e.l, row)) && truthy(evaluate(e.r, row));
    case "or":
      return truthy(evaluate(e.l, row)) || truthy(evaluate(e.r, row));
    case "not":
      return !truthy(evaluate(e.e, row));
    case "cmp":
      return compare(e.op, evaluate(e.l, row), evaluate(e.r, row));
    case "in": {
      const v = evaluate(e.l, row);
      const insensitive = e.op.endsWith("~");
      const hit = e.list.some((x) => equal(v, evaluate(x, row), insensitive));
      return e.op.startsWith("!") ? !hit : hit;
    }
  }
}

function truthy(v: unknown): boolean {
  return v === true;
}

function text(v: unknown): string {
  return v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
}

function equal(a: unknown, b: unknown, insensitive: boolean): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b;
  if (typeof a === "boolean" || typeof b === "boolean") return a === b || text(a).toLowerCase() === text(b).toLowerCase();
  return insensitive ? text(a).toLowerCase() === text(b).toLowerCase() : text(a) === text(b);
}

function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case "==":
      return equal(a, b, false);
    case "!=":
      return !equal(a, b, false);
    case "=~":
      return equal(a, b, true);
    case "!~":
      return !equal(a, b, true);
    case "contains":
      return text(a).toLowerCase().includes(text(b).toLowerCase());
    case "has":
      return new RegExp(`(^|[^A-Za-z0-9])${text(b).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9])`, "i").test(text(a));
    case "startswith":
      return text(a).toLowerCase().startsWith(text(b).toLowerCase());
    case "endswith":
      return text(a).toLowerCase().endsWith(text(b).toLowerCase());
    default: {
      const x = typeof a === "number" ? a : text(a);
      const y = typeof b === "number" ? b : text(b);
      if (op === "<") return x < y;
      if (op === "<=") return x <= y;
      if (op === ">") return x > y;
      return x >= y;
    }
  }
}

function sortValue(v: unknown): string | number {
  return typeof v === "number" ? v : text(v).toLowerCase();
}

/** Runs the query's operators over the candidate rows. */
export function run(q: Query, rows: Row[]): { rows: Row[]; columns?: string[] } {
  let cur = rows;
  let columns: string[] | undefined;
  for (const o of q.operators) {
    switch (o.op) {
      case "where":
        cur = cur.filter((r) => truthy(evaluate(o.expr, r)));
        break;
      case "project":
        columns = o.columns.map((c) => c.name);
        cur = cur.map((r) => Object.fromEntries(o.columns.map((c) => [c.name, evaluate(c.value, r)])));
        break;
      case "extend":
        cur = cur.map((r) => ({ ...r, ...Object.fromEntries(o.columns.map((c) => [c.name, evaluate(c.value, r)])) }));
        if (columns) columns = [...columns, ...o.columns.map((c) => c.name).filter((n) => !columns!.includes(n))];
        break;
      case "order": {
        const keyed = cur.map((r) => ({ r, k: o.keys.map((key) => sortValue(evaluate(key.value, r))) }));
        keyed.sort((a, b) => {
          for (let i = 0; i < o.keys.length; i++) {
            const x = a.k[i]!;
            const y = b.k[i]!;
            if (x === y) continue;
            const c = x < y ? -1 : 1;
            return o.keys[i]!.desc ? -c : c;
          }
          return 0;
        });
        cur = keyed.map((x) => x.r);
        break;
      }
      case "limit":
        cur = cur.slice(0, o.count);
        break;
    }
  }
  return { rows: cur, columns };
}

/** Types from a `where` that must hold for every row (a top-level `type ==/=~/in/in~` conjunct), to pick index buckets. */
export function requiredTypes(q: Query): string[] | undefined {
  for (const o of q.operators) {
    if (o.op === "project" || o.op === "extend") return undefined; // `type` may be renamed after this
    if (o.op !== "where") continue;
    const found = typesIn(o.expr);
    if (found) return found;
  }
  return undefined;
}

function typesIn(e: Expr): string[] | undefined {
  const isType = (x: Expr): boolean => x.k === "path" && x.parts.length === 1 && String(x.parts[0]).toLowerCase() === "type";
  if (e.k === "and") return typesIn(e.l) ?? typesIn(e.r);
  if (e.k === "cmp" && (e.op === "==" || e.op === "=~") && isType(e.l) && e.r.k === "lit" && typeof e.r.v === "string") return [e.r.v.toLowerCase()];
  if (e.k === "in" && (e.op === "in" || e.op === "in~") && isType(e.l) && e.list.every((x) => x.k === "lit" && typeof x.v === "string")) {
    return e.list.map((x) => String((x as { v: string }).v).toLowerCase());
  }
  return undefined;
}
