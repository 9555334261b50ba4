import { armIdKey } from "../azure/armIds";
import { type AzureContext, callAzure } from "../azure/azureContext";

/**
 * Which management groups sit above each subscription. Eligibilities inherited from a management
 * group carry the group's scope (`/providers/Microsoft.Management/managementGroups/<name>`,
 * azure-facts §3), which names no subscription; `getEntities` lists the subscriptions the caller can
 * see with their `parentNameChain` (root group first, immediate parent last; Entities_List in
 * azure-rest-api-specs `specification/managementgroups`), the same call `az account management-group
 * entities list` makes. It needs no read right on the groups themselves.
 */
export const MANAGEMENT_GROUPS_API_VERSION = "2020-05-01";

const MG_SCOPE = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)$/i;

/** The group name of a management-group scope, or undefined. */
export function managementGroupOf(scope: string): string | undefined {
  return MG_SCOPE.exec(armIdKey(scope))?.[1];
}

/** `/providers/microsoft.management/managementgroups/<name>` in the form `armIdKey` gives. */
export function managementGroupKey(name: string): string {
  return `/providers/microsoft.management/managementgroups/${name.toLowerCase()}`;
}

/** Subscription id (lower case) → group names above it (lower case), root first. */
export type SubscriptionGroups = ReadonlyMap<string, readonly string[]>;

export async function listSubscriptionGroups(ctx: AzureContext, tenantId: string, signal?: AbortSignal): Promise<Map<string, string[]>> {
  const items = await callAzure(ctx, "list the management groups above your subscriptions", () =>
    ctx.clients.armList(tenantId).listAll("/providers/Microsoft.Management/getEntities", MANAGEMENT_GROUPS_API_VERSION, signal, "POST"),
  );
  const result = new Map<string, string[]>();
  for (const raw of items) {
    const e = raw as { type?: unknown; name?: unknown; properties?: { parentNameChain?: unknown } };
    if (typeof e.type !== "string" || e.type.toLowerCase() !== "/subscriptions" || typeof e.name !== "string") continue;
    const chain = Array.isArray(e.properties?.parentNameChain) ? e.properties.parentNameChain.filter((x): x is string => typeof x === "string") : [];
    result.set(e.name.toLowerCase(), chain.map((x) => x.toLowerCase()));
  }
  return result;
}
