/**
 * Subscriptions and tenants (Microsoft.Resources, api-version 2022-12-01): `GET /subscriptions`,
 * `GET /subscriptions/{id}`, `GET /tenants`. A subscription is listed when the caller has any
 * role assignment in it (ARM's behaviour for RBAC-visible subscriptions); tenants are those
 * where the caller has an object (home and guest).
 */
import { HttpError } from "../http/errors";
import { page } from "../http/paging";
import type { Router } from "../http/router";
import type { SubscriptionModel } from "../world/model";
import { callerOf, requireSubscription, type ArmDeps } from "./armContext";

function subscriptionToArm(s: SubscriptionModel): Record<string, unknown> {
  return {
    id: `/subscriptions/${s.id}`,
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: s.id,
    tenantId: s.tenantId,
    displayName: s.name,
    state: "Enabled",
    subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
    tags: {},
  };
}

export function registerSubscriptions(router: Router, deps: ArmDeps): void {
  router.add("GET", "/subscriptions", (req) => {
    const caller = callerOf(req);
    const visible = deps.world.scenario.subscriptions.filter((s) => s.tenantId === caller.tenantId && deps.rbac.touches(caller, `/subscriptions/${s.id}`));
    const p = page(req, visible.map(subscriptionToArm), deps.settings.armPageSize);
    return { status: 200, body: { ...p, count: { type: "Total", value: visible.length } } };
  });
  router.add("GET", "/subscriptions/{sub}", (req, p) => {
    requireSubscription(deps, req, p.sub!);
    const s = deps.world.subscription(p.sub!)!;
    if (!deps.rbac.touches(callerOf(req), `/subscriptions/${s.id}`)) throw new HttpError(404, "SubscriptionNotFound", `The subscription '${p.sub}' could not be found.`);
    return { status: 200, body: subscriptionToArm(s) };
  });
  router.add("GET", "/tenants", (req) => {
    const caller = callerOf(req);
    const tenantIds = new Set<string>([caller.tenantId]);
    if (caller.kind === "user") {
      const user = deps.directory.users.find((u) => [...u.objectIds.entries()].some(([t, oid]) => t === caller.tenantId && oid === caller.objectId));
      for (const t of user?.objectIds.keys() ?? []) tenantIds.add(t);
    }
    const value = deps.directory.tenants
      .filter((t) => tenantIds.has(t.id))
      .map((t) => ({ id: `/tenants/${t.id}`, tenantId: t.id, countryCode: "US", displayName: t.name, domains: [t.domain], tenantCategory: "Home", defaultDomain: t.domain, tenantType: "AAD" }));
    return { status: 200, body: { value } };
  });
}
