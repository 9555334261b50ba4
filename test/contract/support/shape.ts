/**
 * "Shape ⊇": does `actual` carry every field `expected` has, with the same JSON type? Values are not
 * compared (ids, names and times differ between an example and a simulated world); only the field
 * names and the JSON types, recursively.
 *
 * Rules, each chosen so that the comparison says what the example really promises:
 * - an expected `null` promises nothing about the type (the spec's examples use null for "not set");
 * - an array's items are compared against the fields that *every* item of the expected array has
 *   (a field only some example items carry is optional by the example's own testimony), with the
 *   type seen on the first item; an empty expected or actual array has nothing to compare;
 * - `tags` is a free-form string map (ARM's resource tags), so only its type is compared, never the
 *   example's tag names;
 * - `allow` names paths that may be missing or `null` in `actual`, each with the reason why the
 *   simulator cannot know that field. Paths use `.` between keys and `[]` for array items, e.g.
 *   `properties.ipConfigurations[].properties.publicIPAddress`.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Path → why the field may be absent (or null) in `actual`. */
export type AllowList = Readonly<Record<string, string>>;

export interface ShapeGap {
  path: string;
  problem: string;
}

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The fields every object item of `items` has; for each, the first item's value (its type is what counts). */
function commonItemShape(items: unknown[]): unknown {
  const objects = items.filter(isObject);
  if (objects.length === 0 || objects.length !== items.length) return items[0];
  const shape: Record<string, unknown> = {};
  for (const key of Object.keys(objects[0]!)) {
    if (!objects.every((o) => key in o)) continue;
    // Nested arrays/objects: merge the same way, so that a sub-field one item lacks is not demanded either.
    const values = objects.map((o) => o[key]);
    shape[key] = values.every(isObject) ? commonItemShape(values) : values.every(Array.isArray) ? values.flat() : values.find((v) => v !== null) ?? null;
  }
  return shape;
}

/** Members that are free-form maps: their keys are data, not fields. */
const MAP_KEYS = new Set(["tags"]);

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function shapeGaps(expected: unknown, actual: unknown, allow: AllowList = {}, path = ""): ShapeGap[] {
  if (expected === null) return [];
  if (actual === null || actual === undefined) {
    if (path in allow) return [];
    return [{ path: path || "(root)", problem: actual === null ? `null where the example has ${kind(expected)}` : "missing" }];
  }
  if (kind(expected) !== kind(actual)) return [{ path: path || "(root)", problem: `${kind(actual)} where the example has ${kind(expected)}` }];
  if (Array.isArray(expected)) {
    const items = actual as unknown[];
    if (expected.length === 0 || items.length === 0) return [];
    const itemShape = commonItemShape(expected);
    return items.flatMap((item) => shapeGaps(itemShape, item, allow, `${path}[]`));
  }
  if (isObject(expected)) {
    const obj = actual as Record<string, unknown>;
    const gaps: ShapeGap[] = [];
    for (const [key, value] of Object.entries(expected)) {
      const p = join(path, key);
      if (!(key in obj)) {
        if (!(p in allow)) gaps.push({ path: p, problem: "missing" });
        continue;
      }
      if (MAP_KEYS.has(key) && isObject(value) && isObject(obj[key])) continue;
      gaps.push(...shapeGaps(value, obj[key], allow, p));
    }
    // Deduplicate: the same gap found in several array items is one finding.
    return gaps.filter((g, i) => gaps.findIndex((h) => h.path === g.path && h.problem === g.problem) === i);
  }
  return [];
}

/** Allow-list entries that excuse nothing are stale: the simulator grew the field, or the path is wrong. */
export function unusedAllowances(expected: unknown, actual: unknown, allow: AllowList): string[] {
  return Object.keys(allow).filter((p) => !gapWithout(expected, actual, allow, p));
}

function gapWithout(expected: unknown, actual: unknown, allow: AllowList, path: string): boolean {
  const rest: Record<string, string> = {};
  for (const [k, v] of Object.entries(allow)) if (k !== path) rest[k] = v;
  return shapeGaps(expected, actual, rest).some((g) => g.path === path);
}

export function formatGaps(gaps: ShapeGap[]): string {
  return gaps.map((g) => `  ${g.path}: ${g.problem}`).join("\n");
}
