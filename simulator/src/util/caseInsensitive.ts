/**
 * ARM reads JSON bodies case-insensitively (az-pim-cli sends `Properties`/`PrincipalId` and works,
 * §2.5). These helpers read a property whatever its casing, so handlers can stay simple.
 */
export type JsonObject = { [key: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value of `name` in `obj`, matched case-insensitively; undefined if absent or `obj` is not an object. */
export function prop(obj: unknown, name: string): unknown {
  if (!isObject(obj)) return undefined;
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Follows a dotted path case-insensitively: `path(body, "properties.scheduleInfo.expiration")`. */
export function path(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split(".")) cur = prop(cur, part);
  return cur;
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
