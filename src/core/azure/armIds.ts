/**
 * Azure Resource Manager ids. ARM treats ids case-insensitively and different APIs return the same
 * resource with different casing (ARG lower-cases types, PIM capitalises `RoleAssignmentScheduleRequests`),
 * so every comparison goes through `sameArmId` / `armIdKey`, never `===`.
 */

export interface ArmResourceId {
  /** The id as given (leading slash ensured, trailing slash removed). */
  id: string;
  subscriptionId: string;
  resourceGroup?: string;
  /** e.g. "Microsoft.Compute" */
  provider?: string;
  /** e.g. "virtualMachines" or "virtualNetworks/subnets" */
  type?: string;
  /** Last name segment, e.g. the VM name or the subnet name. */
  name?: string;
  /** Names of every type segment in order, e.g. ["hub-vnet", "AzureBastionSubnet"] for a subnet. */
  names: string[];
}

/** Parses `/subscriptions/{s}[/resourceGroups/{rg}[/providers/{ns}/{type}/{name}[/{type}/{name}]...]]`. */
export function parseArmId(id: string): ArmResourceId | undefined {
  const normalized = normalizeArmId(id);
  const parts = normalized.split("/").slice(1);
  if (parts.length < 2 || parts[0]?.toLowerCase() !== "subscriptions" || !parts[1]) return undefined;
  const result: ArmResourceId = { id: normalized, subscriptionId: parts[1], names: [] };
  let i = 2;
  if (parts[i]?.toLowerCase() === "resourcegroups") {
    if (!parts[i + 1]) return undefined;
    result.resourceGroup = parts[i + 1];
    i += 2;
  }
  if (i >= parts.length) return result;
  if (parts[i]?.toLowerCase() !== "providers" || !parts[i + 1]) return undefined;
  result.provider = parts[i + 1];
  i += 2;
  const types: string[] = [];
  while (i < parts.length) {
    const type = parts[i];
    const name = parts[i + 1];
    if (!type || !name) return undefined;
    types.push(type);
    result.names.push(name);
    i += 2;
  }
  if (types.length === 0) return undefined;
  result.type = types.join("/");
  result.name = result.names[result.names.length - 1];
  return result;
}

/** Like parseArmId, but a malformed id is a programming or data error worth a clear message. */
export function requireArmId(id: string, what: string): ArmResourceId {
  const parsed = parseArmId(id);
  if (!parsed) throw new Error(`Not a valid Azure resource id for ${what}: "${id}"`);
  return parsed;
}

/** Leading slash, no trailing slash, no repeated slashes. Case is kept (display), compare with armIdKey. */
export function normalizeArmId(id: string): string {
  const collapsed = `/${id.trim()}`.replace(/\/{2,}/g, "/");
  return collapsed.length > 1 ? collapsed.replace(/\/+$/, "") : collapsed;
}

/** A case-insensitive key for maps and sets of ARM ids. */
export function armIdKey(id: string): string {
  // Hot path (inventory joins call this for every VM): ids from Azure are already normal.
  if (isNormal(id)) return id.toLowerCase();
  return normalizeArmId(id).toLowerCase();
}

/** Leading slash, no trailing slash, no doubled slash, no surrounding space. */
function isNormal(id: string): boolean {
  const n = id.length;
  if (n < 2 || id.charCodeAt(0) !== 47 || id.charCodeAt(n - 1) === 47 || id.charCodeAt(n - 1) === 32 || id.indexOf("//") !== -1) return false;
  return true;
}

export function sameArmId(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return armIdKey(a) === armIdKey(b);
}

/**
 * True when `scope` is `id` or one of its ancestors (subscription, resource group, parent resource).
 * The empty scope and "/" (tenant root) contain everything.
 */
export function scopeContains(scope: string, id: string): boolean {
  const s = armIdKey(scope);
  const target = armIdKey(id);
  if (s === "/" || s === "") return true;
  return target === s || target.startsWith(`${s}/`);
}

/**
 * A scope as the PIM SDK operations want it: without the leading slash, because the SDK prefixes one
 * and `//subscriptions/...` is not what Azure documents (azure-protocols §0.2).
 */
export function pimScope(scope: string): string {
  return normalizeArmId(scope).replace(/^\/+/, "");
}

/** The subscription id of any subscription-rooted id, or undefined (tenant/management group scopes). */
export function subscriptionOf(id: string): string | undefined {
  return parseArmId(id)?.subscriptionId;
}

/** Formats a resource id from its parts (e.g. a VM id from subscription, group and name). */
export function formatArmId(parts: { subscriptionId: string; resourceGroup?: string; provider?: string; segments?: [type: string, name: string][] }): string {
  let id = `/subscriptions/${parts.subscriptionId}`;
  if (parts.resourceGroup) id += `/resourceGroups/${parts.resourceGroup}`;
  if (parts.provider && parts.segments && parts.segments.length > 0) {
    id += `/providers/${parts.provider}`;
    for (const [type, name] of parts.segments) id += `/${type}/${name}`;
  }
  return id;
}

/** The VNet id of a subnet id (`.../virtualNetworks/{vnet}/subnets/{subnet}` → `.../virtualNetworks/{vnet}`). */
export function vnetOfSubnet(subnetId: string): string | undefined {
  const m = /^(.*\/providers\/microsoft\.network\/virtualnetworks\/[^/]+)\/subnets\/[^/]+$/i.exec(normalizeArmId(subnetId));
  return m?.[1];
}

/** The last segment of an id or a path (role definition GUID, policy name, request name). */
export function lastSegment(id: string): string {
  const parts = normalizeArmId(id).split("/");
  return parts[parts.length - 1] ?? "";
}
