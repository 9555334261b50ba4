import { type AzureContext, callAzure } from "../azure/azureContext";
import type { SubscriptionInfo, TenantInfo } from "./types";

/** Microsoft.Resources api-version for `GET /tenants` and `GET /subscriptions`. */
const RESOURCES_API_VERSION = "2022-12-01";

function str(v: unknown): string | undefined {
  return typeof v === "string" && v ? v : undefined;
}

/** Tenants the signed-in account belongs to (home and guest), with the home tenant's token. */
export async function listTenants(ctx: AzureContext, signal?: AbortSignal): Promise<TenantInfo[]> {
  const items = await callAzure(ctx, "list your Azure tenants", () => ctx.clients.armList(undefined).listAll("/tenants", RESOURCES_API_VERSION, signal));
  return items.flatMap((raw) => {
    const t = raw as Record<string, unknown>;
    const tenantId = str(t.tenantId);
    return tenantId ? [{ tenantId, displayName: str(t.displayName), defaultDomain: str(t.defaultDomain) }] : [];
  });
}

/** Subscriptions of one tenant (ARM lists those of the token's tenant). */
export async function listSubscriptions(ctx: AzureContext, tenantId: string, signal?: AbortSignal): Promise<SubscriptionInfo[]> {
  const items = await callAzure(ctx, `list the subscriptions of tenant ${tenantId}`, () => ctx.clients.armList(tenantId).listAll("/subscriptions", RESOURCES_API_VERSION, signal));
  return items.flatMap((raw) => {
    const s = raw as Record<string, unknown>;
    const subscriptionId = str(s.subscriptionId);
    if (!subscriptionId) return [];
    return [{ subscriptionId, displayName: str(s.displayName) ?? subscriptionId, tenantId: str(s.tenantId) ?? tenantId, state: str(s.state) }];
  });
}
