/**
 * `POST /providers/Microsoft.Management/getEntities` (Entities_List, api 2020-05-01/2023-04-01):
 * the management groups and subscriptions the caller can see, each with `parent` and
 * `parentNameChain` ("from the root group to the immediate parent"; Azure/azure-rest-api-specs
 * `specification/managementgroups`, example GetEntities.json). Subscriptions are listed when the
 * caller has any role in them (as `GET /subscriptions`); groups when they are ancestors of such a
 * subscription or the caller holds a role or an eligibility there. The tenant root group is named
 * after the tenant id. Which entities Azure lists for a caller with no role on a group is not
 * documented (assumed, simulator/FIDELITY.md).
 */
import { page } from "../http/paging";
import type { Router } from "../http/router";
import { managementGroupId, type ManagementGroupModel } from "../world/scopeLineage";
import { callerOf, type ArmDeps } from "./armContext";

export function registerManagementGroups(router: Router, deps: ArmDeps): void {
  router.add("POST", "/providers/Microsoft.Management/getEntities", (req) => {
    const caller = callerOf(req);
    const lineage = deps.world.lineage;
    const tenant = deps.directory.tenants.find((t) => t.id === caller.tenantId);
    const groups = deps.world.scenario.managementGroups.filter((g) => g.tenantId === caller.tenantId);
    const displayOf = (name: string): string => (name.toLowerCase() === caller.tenantId.toLowerCase() ? "Tenant Root Group" : (groups.find((g) => g.name.toLowerCase() === name)?.displayName ?? name));
    const nameOf = (name: string): string => groups.find((g) => g.name.toLowerCase() === name)?.name ?? name;
    const entity = (id: string, type: string, name: string, displayName: string, chain: string[], permissions: string): Record<string, unknown> => ({
      id,
      type,
      name,
      properties: {
        tenantId: caller.tenantId,
        displayName,
        ...(chain.length > 0 ? { parent: { id: managementGroupId(nameOf(chain[chain.length - 1]!)) } } : {}),
        parentNameChain: chain.map(nameOf),
        parentDisplayNameChain: chain.map(displayOf),
        permissions,
      },
    });

    const subs = deps.world.scenario.subscriptions.filter((s) => s.tenantId === caller.tenantId && deps.rbac.touches(caller, `/subscriptions/${s.id}`));
    const visibleGroups = new Set<string>();
    for (const s of subs) for (const g of lineage.groupsAbove(s.id)) visibleGroups.add(g);
    const mine = (g: ManagementGroupModel): boolean =>
      deps.rbac.touches(caller, g.id) || deps.pim.eligibilities.some((e) => e.principalId.toLowerCase() === caller.objectId.toLowerCase() && lineage.covers(e.scope, g.id));
    for (const g of groups) if (mine(g)) for (const n of lineage.groupChain(g.name) ?? []) visibleGroups.add(n);

    const value: Record<string, unknown>[] = [];
    if (tenant && visibleGroups.has(caller.tenantId.toLowerCase())) value.push(entity(managementGroupId(caller.tenantId), "Microsoft.Management/managementGroups", caller.tenantId, "Tenant Root Group", [], "noaccess"));
    for (const g of groups) {
      const chain = lineage.groupChain(g.name) ?? [];
      if (!visibleGroups.has(g.name.toLowerCase())) continue;
      value.push(entity(g.id, "Microsoft.Management/managementGroups", g.name, g.displayName, chain.slice(0, -1), deps.rbac.can(caller, "Microsoft.Management/managementGroups/read", g.id) ? "view" : "noaccess"));
    }
    for (const s of subs) value.push(entity(`/subscriptions/${s.id}`, "/subscriptions", s.id, s.name, lineage.groupsAbove(s.id), "view"));
    req.audit.detail = `entities: ${value.length}`;
    return { status: 200, body: page(req, value, deps.settings.armPageSize) };
  });
}
