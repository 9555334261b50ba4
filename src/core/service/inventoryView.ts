import { armIdKey } from "../azure/armIds";
import type { Inventory, VmEntry } from "../inventory/loadInventory";
import { deriveHostAlias } from "../ssh/hostAlias";

/** Only these tenants / subscriptions (ids); empty = all the account can see. */
export interface InventoryFilter {
  tenants?: readonly string[];
  subscriptions?: readonly string[];
}

function filterKey(f: InventoryFilter | undefined): string {
  const ids = (list: readonly string[] | undefined): string[] => [...(list ?? [])].map((t) => t.toLowerCase()).sort();
  return JSON.stringify([ids(f?.tenants), ids(f?.subscriptions)]);
}

/** Whether two filters select the same tenants and subscriptions (ids compare case-insensitively). */
export function sameFilter(a: InventoryFilter | undefined, b: InventoryFilter | undefined): boolean {
  return filterKey(a) === filterKey(b);
}

/** The inventory as the filter shows it: applied locally, no Azure call. */
export function applyFilter(inventory: Inventory, filter: InventoryFilter | undefined): Inventory {
  const tenants = new Set((filter?.tenants ?? []).map((t) => t.toLowerCase()));
  const subs = new Set((filter?.subscriptions ?? []).map((s) => s.toLowerCase()));
  if (tenants.size === 0 && subs.size === 0) return inventory;
  const keep = (tenantId: string, subscriptionId: string): boolean => (tenants.size === 0 || tenants.has(tenantId.toLowerCase())) && (subs.size === 0 || subs.has(subscriptionId.toLowerCase()));
  return {
    ...inventory,
    subscriptions: inventory.subscriptions.filter((s) => keep(s.tenantId, s.subscriptionId)),
    vms: inventory.vms.filter((v) => keep(v.tenantId, v.subscriptionId)),
  };
}

/**
 * The inventory as last loaded, before and after the tenant/subscription filter: the filter applies
 * at once to what is loaded (no Azure call), and the filter picker lists from the unfiltered one.
 */
export class InventoryView {
  private unfiltered: Inventory | undefined;
  private filtered: Inventory | undefined;

  constructor(private filter: InventoryFilter | undefined) {}

  get current(): Inventory | undefined {
    return this.filtered;
  }

  /** Takes a freshly loaded inventory; returns it as the filter shows it. */
  update(inventory: Inventory): Inventory {
    this.unfiltered = inventory;
    this.filtered = applyFilter(inventory, this.filter);
    return this.filtered;
  }

  /** A new filter: the filtered inventory, when it changed and one is loaded. */
  setFilter(filter: InventoryFilter | undefined): Inventory | undefined {
    const changed = !sameFilter(filter, this.filter);
    this.filter = filter;
    if (!changed || !this.unfiltered) return undefined;
    this.filtered = applyFilter(this.unfiltered, filter);
    return this.filtered;
  }

  /** Every tenant and subscription of the last inventory, whatever the filter. */
  availableScopes(): Pick<Inventory, "tenants" | "subscriptions"> | undefined {
    const inventory = this.unfiltered;
    return inventory ? { tenants: inventory.tenants, subscriptions: inventory.subscriptions } : undefined;
  }

  /** A VM of the filtered inventory, by ARM id (any case) or by its SSH host alias. */
  find(vmIdOrAlias: string): VmEntry | undefined {
    const key = armIdKey(vmIdOrAlias);
    const vms = this.filtered?.vms ?? [];
    return vms.find((v) => armIdKey(v.id) === key) ?? vms.find((v) => deriveHostAlias(v) === vmIdOrAlias);
  }

  clear(): void {
    this.unfiltered = undefined;
    this.filtered = undefined;
  }
}
