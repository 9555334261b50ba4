import { createHash, randomUUID } from "node:crypto";

/** A random GUID (request ids, instance names). */
export function newGuid(): string {
  return randomUUID();
}

/**
 * A GUID derived from a name, so that a scenario without explicit ids gets the same ids on every
 * run (settings printed once keep working, tests can compute them). Shaped like a v5 UUID.
 */
export function stableGuid(...parts: string[]): string {
  const h = createHash("sha1").update(parts.join("\u0000")).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * ARM ids compare case-insensitively; this is the key used in maps. Hot: RBAC checks every listed
 * resource against every assignment (the scale scenario makes millions of calls), so trailing
 * slashes are trimmed by a loop (a `/\/+$/` regex tries every start position) and keys are memoised.
 */
export function idKey(id: string): string {
  const known = keyMemo.get(id);
  if (known !== undefined) return known;
  let end = id.length;
  while (end > 0 && id.charCodeAt(end - 1) === 0x2f) end--;
  const key = (end === id.length ? id : id.slice(0, end)).toLowerCase();
  if (keyMemo.size >= KEY_MEMO_LIMIT) keyMemo.clear();
  keyMemo.set(id, key);
  return key;
}

const KEY_MEMO_LIMIT = 200_000;
const keyMemo = new Map<string, string>();

/** Parts of an ARM resource id (`/subscriptions/s/resourceGroups/g/providers/NS/type/name[/sub/name]`). */
export interface ParsedArmId {
  subscriptionId?: string;
  resourceGroup?: string;
  provider?: string;
  /** e.g. `virtualMachines` or `virtualNetworks/subnets`. */
  types: string[];
  names: string[];
}

export function parseArmId(id: string): ParsedArmId {
  const segs = id.split("/").filter((s) => s.length > 0);
  const out: ParsedArmId = { types: [], names: [] };
  let i = 0;
  if (segs[i]?.toLowerCase() === "subscriptions") {
    out.subscriptionId = segs[i + 1];
    i += 2;
  }
  if (segs[i]?.toLowerCase() === "resourcegroups") {
    out.resourceGroup = segs[i + 1];
    i += 2;
  }
  if (segs[i]?.toLowerCase() === "providers") {
    out.provider = segs[i + 1];
    i += 2;
    while (i < segs.length) {
      out.types.push(segs[i]!);
      if (segs[i + 1] !== undefined) out.names.push(segs[i + 1]!);
      i += 2;
    }
  }
  return out;
}

/** True when `scope` is `target` or one of its ancestors (segment-wise, case-insensitive). "/" covers everything. */
export function scopeCovers(scope: string, target: string): boolean {
  return keyCovers(idKey(scope), idKey(target));
}

/** `scopeCovers` on keys already made by `idKey` (loops over many scopes make the target's key once). */
export function keyCovers(scopeKey: string, targetKey: string): boolean {
  if (scopeKey === "" || scopeKey === "/") return true;
  return targetKey.length === scopeKey.length ? targetKey === scopeKey : targetKey.length > scopeKey.length && targetKey.charCodeAt(scopeKey.length) === 0x2f && targetKey.startsWith(scopeKey);
}

export function armVmId(sub: string, rg: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`;
}
