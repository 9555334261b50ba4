/**
 * Management-group hierarchy for scope decisions. ARM ids of subscriptions do not name the
 * management groups above them, so "does scope A cover scope B" cannot be a prefix test once
 * management groups exist. Each scope gets a lineage key that spells out its management-group
 * ancestry (`/~mg/<root>/~mg/<child>/subscriptions/<id>/...`); coverage is then a prefix test on
 * those keys. The tenant root ("/") covers everything, as before.
 */
import { idKey, keyCovers } from "../util/ids";

export interface ManagementGroupModel {
  /** The group's name (its id segment), e.g. "contoso-platform". The tenant root group is named after the tenant id. */
  name: string;
  id: string;
  displayName: string;
  tenantId: string;
  /** Name of the parent group; undefined: directly under the tenant root group. */
  parent?: string;
  /** Subscription ids directly in this group. */
  subscriptionIds: string[];
}

const MG_PREFIX = "/providers/microsoft.management/managementgroups/";

/** `/providers/Microsoft.Management/managementGroups/<name>` for a group name. */
export function managementGroupId(name: string): string {
  return `/providers/Microsoft.Management/managementGroups/${name}`;
}

export class ScopeLineage {
  private readonly chainOfGroup = new Map<string, string[]>();
  private readonly chainOfSubscription = new Map<string, string[]>();

  /** `subscriptions`: every subscription with its tenant (those in no group sit under the tenant root group). */
  constructor(groups: readonly ManagementGroupModel[], subscriptions: readonly { id: string; tenantId: string }[] = []) {
    for (const s of subscriptions) this.chainOfSubscription.set(s.id.toLowerCase(), [s.tenantId.toLowerCase()]);
    const byName = new Map(groups.map((g) => [g.name.toLowerCase(), g]));
    const chain = (g: ManagementGroupModel, seen = new Set<string>()): string[] => {
      const key = g.name.toLowerCase();
      const known = this.chainOfGroup.get(key);
      if (known) return known;
      const parent = g.parent ? byName.get(g.parent.toLowerCase()) : undefined;
      // The tenant root group sits above every top-level group.
      const above = parent && !seen.has(key) ? chain(parent, seen.add(key)) : [g.tenantId.toLowerCase()];
      const result = [...above, key];
      this.chainOfGroup.set(key, result);
      return result;
    };
    for (const g of groups) {
      const c = chain(g);
      for (const s of g.subscriptionIds) this.chainOfSubscription.set(s.toLowerCase(), c);
    }
  }

  /** Management-group names from the tenant root down to the subscription's immediate parent (empty when unknown). */
  groupsAbove(subscriptionId: string): string[] {
    return this.chainOfSubscription.get(subscriptionId.toLowerCase()) ?? [];
  }

  /** The names from the tenant root down to the group itself. */
  groupChain(name: string): string[] | undefined {
    return this.chainOfGroup.get(name.toLowerCase());
  }

  /** The lineage key of a scope (lower case). */
  key(scope: string): string {
    const k = idKey(scope);
    if (k === "" || k === "/") return "";
    if (k.startsWith("/subscriptions/")) {
      const sub = k.slice("/subscriptions/".length).split("/")[0] ?? "";
      return `${spell(this.chainOfSubscription.get(sub))}${k}`;
    }
    if (k.startsWith(MG_PREFIX)) {
      const rest = k.slice(MG_PREFIX.length);
      const slash = rest.indexOf("/");
      const name = slash < 0 ? rest : rest.slice(0, slash);
      const tail = slash < 0 ? "" : rest.slice(slash);
      return `${spell(this.chainOfGroup.get(name) ?? [name])}${tail}`;
    }
    return k;
  }

  /** True when `scope` is `target` or one of its ancestors, management groups included. */
  covers(scope: string, target: string): boolean {
    if (this.chainOfGroup.size === 0) return keyCovers(idKey(scope), idKey(target));
    return keyCovers(this.key(scope), this.key(target));
  }

  /** True when `scope` is a management group (or the tenant root group by its tenant-id name). */
  static isManagementGroup(scope: string): boolean {
    return idKey(scope).startsWith(MG_PREFIX);
  }
}

function spell(chain: readonly string[] | undefined): string {
  return chain ? chain.map((name) => `/~mg/${name}`).join("") : "";
}
