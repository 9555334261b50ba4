/**
 * A tiny validating-parser DSL for scenario files: each check returns the typed value or records
 * a problem with the path of the bad field ("virtualMachines[3].power: ..."), so one run reports
 * every mistake in a file at once. Types are inferred from the checks (`Infer<typeof x>`).
 */
export type Check<T> = (value: unknown, path: string, problems: string[]) => T | undefined;
export type Infer<C> = C extends Check<infer T> ? T : never;

const describe = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "string" ? `"${v}"` : typeof v);

export const string =
  (opts: { pattern?: RegExp; hint?: string } = {}): Check<string> =>
  (v, path, problems) => {
    if (typeof v !== "string" || v.length === 0) {
      problems.push(`${path}: expected a non-empty string, got ${describe(v)}`);
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(v)) {
      problems.push(`${path}: "${v}" is not ${opts.hint ?? `matching ${String(opts.pattern)}`}`);
      return undefined;
    }
    return v;
  };

export const number =
  (opts: { integer?: boolean; min?: number; max?: number } = {}): Check<number> =>
  (v, path, problems) => {
    if (typeof v !== "number" || !Number.isFinite(v) || (opts.integer && !Number.isInteger(v))) {
      problems.push(`${path}: expected ${opts.integer ? "an integer" : "a number"}, got ${describe(v)}`);
      return undefined;
    }
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
      problems.push(`${path}: ${v} is outside ${opts.min ?? "-∞"}..${opts.max ?? "∞"}`);
      return undefined;
    }
    return v;
  };

export const boolean = (): Check<boolean> => (v, path, problems) => {
  if (typeof v !== "boolean") {
    problems.push(`${path}: expected true or false, got ${describe(v)}`);
    return undefined;
  }
  return v;
};

export const oneOf =
  <const T extends string>(...values: T[]): Check<T> =>
  (v, path, problems) => {
    if (typeof v !== "string" || !(values as string[]).includes(v)) {
      problems.push(`${path}: expected one of ${values.join(" | ")}, got ${describe(v)}`);
      return undefined;
    }
    return v as T;
  };

export const array =
  <T>(item: Check<T>): Check<T[]> =>
  (v, path, problems) => {
    if (!Array.isArray(v)) {
      problems.push(`${path}: expected a list, got ${describe(v)}`);
      return undefined;
    }
    const out: T[] = [];
    v.forEach((x, i) => {
      const r = item(x, `${path}[${i}]`, problems);
      if (r !== undefined) out.push(r);
    });
    return out;
  };

export const stringMap = (): Check<Record<string, string>> => (v, path, problems) => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    problems.push(`${path}: expected a map of strings, got ${describe(v)}`);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== "string") problems.push(`${path}.${k}: expected a string, got ${describe(x)}`);
    else out[k] = x;
  }
  return out;
};

type Fields = Record<string, Check<unknown>>;
type Obj<R extends Fields, O extends Fields> = { [K in keyof R]: Infer<R[K]> } & { [K in keyof O]?: Infer<O[K]> };

export const object =
  <R extends Fields, O extends Fields = Record<never, Check<unknown>>>(required: R, optional?: O): Check<Obj<R, O>> =>
  (v, path, problems) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      problems.push(`${path}: expected an object, got ${describe(v)}`);
      return undefined;
    }
    const input = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const before = problems.length;
    const at = (k: string): string => (path ? `${path}.${k}` : k);
    for (const [k, check] of Object.entries(required)) {
      if (input[k] === undefined || input[k] === null) problems.push(`${at(k)}: required field is missing`);
      else out[k] = check(input[k], at(k), problems);
    }
    for (const [k, check] of Object.entries(optional ?? {})) {
      if (input[k] !== undefined && input[k] !== null) out[k] = check(input[k], at(k), problems);
    }
    for (const k of Object.keys(input)) {
      if (!(k in required) && !(optional && k in optional)) problems.push(`${at(k)}: unknown field (known: ${[...Object.keys(required), ...Object.keys(optional ?? {})].join(", ")})`);
    }
    return problems.length === before ? (out as Obj<R, O>) : undefined;
  };

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid scenario ${file}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}
