import type { SubscriptionInfo } from "../core/inventory/types";

/** Validation and mapping of what users type or pick (pure, unit-tested). */

/** A TCP port, or undefined. */
export function parsePort(text: string): number | undefined {
  const n = Number(text.trim());
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** A Key Vault secret URI of the form the core accepts: https://<vault>/secrets/<name>[/<version>]. */
export function looksLikeSecretUri(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return url.protocol === "https:" && /^\/secrets\/[^/]+(\/[^/]+)?\/?$/.test(url.pathname);
  } catch {
    return false;
  }
}

/** A login name ssh and the core accept. */
export function looksLikeUserName(text: string): boolean {
  return /^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$/.test(text.trim());
}

/**
 * The `azureJit.filter.*` values for a selection of subscriptions: empty lists when everything is
 * selected (so subscriptions that appear later show up too), else the selected subscriptions and,
 * when not all tenants are concerned, their tenants.
 */
export function filterForSelection(all: readonly SubscriptionInfo[], selected: readonly SubscriptionInfo[]): { tenants: string[]; subscriptions: string[] } {
  const key = (s: SubscriptionInfo): string => s.subscriptionId.toLowerCase();
  const chosen = new Set(selected.map(key));
  if (all.every((s) => chosen.has(key(s)))) return { tenants: [], subscriptions: [] };
  const allTenants = new Set(all.map((s) => s.tenantId.toLowerCase()));
  const selectedTenants = [...new Set(selected.map((s) => s.tenantId.toLowerCase()))].sort();
  return { tenants: selectedTenants.length < allTenants.size ? selectedTenants : [], subscriptions: selected.map((s) => s.subscriptionId) };
}

/** The VM's page in the cloud's portal, in its tenant (so a guest lands in the right directory). */
export function portalUrl(portal: string, tenantId: string, vmId: string): string {
  return `${portal.replace(/\/+$/, "")}/#@${encodeURIComponent(tenantId)}/resource${vmId}/overview`;
}
