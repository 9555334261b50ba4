import { throwIfAborted } from "../cancellation";
import { type AzureContext, callAzure } from "../azure/azureContext";
import { restErrorInfo } from "../azure/azureErrors";
import { isJitError } from "../errors";

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
  const status = restErrorInfo(isJitError(e) ? e.cause : e)?.statusCode;
  return status === 403 || status === 404 || status === 429 || status === 501 || (status !== undefined && status >= 500);
}

export const ARG_TYPES = {
  virtualMachine: "microsoft.compute/virtualmachines",
  networkInterface: "microsoft.network/networkinterfaces",
  virtualNetwork: "microsoft.network/virtualnetworks",
  bastionHost: "microsoft.network/bastionhosts",
} as const;

const COLUMNS = ["id", "name", "type", "location", "resourceGroup", "subscriptionId", "tenantId", "tags", "properties", "sku"];
export const PAGE_SIZE = 1000;
/** ARG accepts at most this many subscriptions per request. */
const MAX_SUBSCRIPTIONS_PER_QUERY = 1000;

/** The query text for a set of resource types. Type names are lower-case constants, never user input. */
export function buildQuery(types: readonly string[]): string {
  const list = types.map((t) => `'${t.replace(/'/g, "")}'`).join(", ");
  return `Resources | where type in~ (${list}) | project ${COLUMNS.join(", ")} | order by id asc`;
}

/** Every row of `types` in `subscriptionIds` (of one tenant), following `$skipToken`. */
export async function queryResources(ctx: AzureContext, tenantId: string, subscriptionIds: readonly string[], types: readonly string[], signal?: AbortSignal): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  const query = buildQuery(types);
  for (let i = 0; i < subscriptionIds.length; i += MAX_SUBSCRIPTIONS_PER_QUERY) {
    const subscriptions = subscriptionIds.slice(i, i + MAX_SUBSCRIPTIONS_PER_QUERY);
    let skipToken: string | undefined;
    do {
      throwIfAborted(signal);
      const page = await callAzure(ctx, `query Azure Resource Graph for ${types.join(", ")}`, () =>
        ctx.clients.resourceGraph(tenantId).resources({ subscriptions, query, options: { top: PAGE_SIZE, skipToken, resultFormat: "objectArray" } }, { abortSignal: signal }),
      );
      for (const row of pageRows(page.data)) rows.push(row);
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
