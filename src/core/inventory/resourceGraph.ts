import { throwIfAborted } from "../cancellation";
import { type AzureContext, callAzure } from "../azure/azureContext";
import { statusOf } from "../azure/azureErrors";

/**
 * Azure Resource Graph reads (azure-protocols §4.4). The product sends only this KQL subset, which
 * the simulator implements from the grammar:
 *   Resources | where type in~ ('a', 'b') | project <columns> | order by id asc
 * Scoping to subscriptions is the request's `subscriptions` field, not KQL. Pages of 1000 rows are
 * followed with `$skipToken` (the projection includes `id`, without which ARG gives no token).
 */

/**
 * Statuses from Resource Graph that mean "not available here" (not registered, throttled, down, or
 * refused to this caller), so the caller lists with the resource provider's own API instead.
 */
export function resourceGraphUnavailable(e: unknown): boolean {
  const status = statusOf(e);
  return status === 403 || status === 404 || status === 429 || status === 501 || (status !== undefined && status >= 500);
}

export const ARG_TYPES = {
  virtualMachine: "microsoft.compute/virtualmachines",
  networkInterface: "microsoft.network/networkinterfaces",
  virtualNetwork: "microsoft.network/virtualnetworks",
  bastionHost: "microsoft.network/bastionhosts",
} as const;

const COLUMNS = ["id", "name", "type", "location", "resourceGroup", "subscriptionId", "tenantId", "tags", "properties", "sku"];
/** The top-level columns of a row whose `properties` are narrowed to a projection. */
const NARROW_COLUMNS = ["id", "name", "type", "location", "resourceGroup", "subscriptionId", "tenantId", "tags"];
export const PAGE_SIZE = 1000;
/** ARG accepts at most this many subscriptions per request. */
const MAX_SUBSCRIPTIONS_PER_QUERY = 1000;

/**
 * The `properties` paths the inventory reads of VMs and NICs (normalize.ts). A VM or NIC row in
 * full is 1.6–1.8 kB, of which these are a fraction: at 10,000 VMs, asking only for them halves the
 * bytes Resource Graph sends and the SDK parses (BENCHMARKS.md, section 7).
 */
export const VM_PROPERTY_PATHS = [
  "properties.hardwareProfile.vmSize",
  "properties.storageProfile.osDisk.osType",
  "properties.osProfile.adminUsername",
  "properties.osProfile.computerName",
  "properties.networkProfile.networkInterfaces",
  "properties.extended.instanceView.powerState",
] as const;
export const NIC_PROPERTY_PATHS = ["properties.ipConfigurations"] as const;

const PATH = /^properties(?:\.[A-Za-z][A-Za-z0-9]*)+$/;
/** The columns projected paths come back in: this prefix and the path's index (no Resource Graph column has it). */
const PROJECTED_PREFIX = "jitConnectPath";
const projectedColumn = (index: number): string => `${PROJECTED_PREFIX}${index}`;

/**
 * The query text for a set of resource types, with every column, or with `properties` narrowed to
 * `propertyPaths` (each projected into a column of its own, put back in place by `rowWithPaths`).
 * Type names and paths are constants of this product, never user input.
 */
export function buildQuery(types: readonly string[], propertyPaths?: readonly string[]): string {
  const list = types.map((t) => `'${t.replace(/'/g, "")}'`).join(", ");
  if (!propertyPaths) return `Resources | where type in~ (${list}) | project ${COLUMNS.join(", ")} | order by id asc`;
  for (const p of propertyPaths) if (!PATH.test(p)) throw new Error(`Not a property path: ${p}`);
  const projected = propertyPaths.map((p, i) => `${projectedColumn(i)} = ${p}`);
  return `Resources | where type in~ (${list}) | project ${[...NARROW_COLUMNS, ...projected].join(", ")} | order by id asc`;
}

/** A row of a narrowed query with its projected columns put back at their paths (null ones left out). */
export function rowWithPaths(row: Record<string, unknown>, propertyPaths: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (!k.startsWith(PROJECTED_PREFIX)) out[k] = v;
  propertyPaths.forEach((p, i) => {
    const value = row[projectedColumn(i)];
    if (value === null || value === undefined) return;
    const keys = p.split(".");
    let at = out;
    for (const key of keys.slice(0, -1)) {
      const next = at[key];
      at = (at[key] = typeof next === "object" && next !== null && !Array.isArray(next) ? next : {}) as Record<string, unknown>;
    }
    at[keys[keys.length - 1]!] = value;
  });
  return out;
}

/**
 * Every row of `types` in `subscriptionIds` (of one tenant), following `$skipToken`. With
 * `propertyPaths`, only those paths of `properties` are asked for (see `buildQuery`).
 */
export async function queryResources(ctx: AzureContext, tenantId: string, subscriptionIds: readonly string[], types: readonly string[], signal?: AbortSignal, propertyPaths?: readonly string[]): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const query = buildQuery(types, propertyPaths);
  for (let i = 0; i < subscriptionIds.length; i += MAX_SUBSCRIPTIONS_PER_QUERY) {
    const subscriptions = subscriptionIds.slice(i, i + MAX_SUBSCRIPTIONS_PER_QUERY);
    let skipToken: string | undefined;
    do {
      throwIfAborted(signal);
      const page = await callAzure(ctx, `query Azure Resource Graph for ${types.join(", ")}`, () =>
        ctx.clients.resourceGraph(tenantId).resources({ subscriptions, query, options: { top: PAGE_SIZE, skipToken, resultFormat: "objectArray" } }, { abortSignal: signal }),
      );
      for (const row of pageRows(page.data)) rows.push(propertyPaths ? rowWithPaths(row, propertyPaths) : row);
      skipToken = page.skipToken || undefined;
    } while (skipToken);
  }
  return rows;
}

/**
 * The rows of a page. The SDK types `data` as a dictionary and deserialises the object array into
 * `{"0": row, "1": row}`; a `table` result (if a server ignores `resultFormat`) is converted too.
 */
export function pageRows(data: unknown): Record<string, unknown>[] {
  const isRow = (r: unknown): r is Record<string, unknown> => typeof r === "object" && r !== null && !Array.isArray(r);
  if (Array.isArray(data)) return data.filter(isRow);
  if (!isRow(data)) return [];
  const { columns, rows } = data as { columns?: unknown; rows?: unknown };
  if (Array.isArray(columns) && Array.isArray(rows)) {
    const names = columns.map((c) => String((c as { name?: unknown }).name ?? ""));
    return rows.filter(Array.isArray).map((r) => Object.fromEntries(names.map((n, i) => [n, (r as unknown[])[i]])));
  }
  return Object.keys(data)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => data[k])
    .filter(isRow);
}
