/**
 * Microsoft.Authorization routes (§2): PIM schedules, instances, requests, policies and policy
 * assignments (api 2020-10-01), plus role definitions and role assignments (2022-04-01).
 * Scope-style paths: any scope, including tenant-wide `/providers/...` and the
 * `/providers/Microsoft.Subscription/subscriptions/{id}` spelling (§0.2). Filters: `asTarget()`,
 * `asRequestor()`, `atScope()`, `principalId eq '{id}'`, `assignedTo('{id}')`,
 * `roleDefinitionId eq '{id}'`, joined with `and`.
 * Listing at a scope returns items at, above or below it (`atScope()`: at or above), as the API
 * reference says. Reading one's own items needs no permission; others' need `.../read`.
 * Policies and policy assignments need their read actions at the scope (azure-facts §4); role
 * definitions are readable by anyone (guess).
 */
import { HttpError } from "../../http/errors";
import { page } from "../../http/paging";
import { queryParam, type SimRequest } from "../../http/request";
import type { Reply, Router } from "../../http/router";
import { idKey } from "../../util/ids";
import { ScopeLineage } from "../../world/scopeLineage";
import type { RoleDefinitionModel } from "../../world/model";
import type { Caller } from "../../world/rbac";
import { authorizationFailed, callerOf, requireSubscription, type ArmDeps } from "../armContext";
import {
  assignmentInstanceToArm,
  assignmentScheduleToArm,
  eligibilityInstanceToArm,
  eligibilityScheduleToArm,
  policyAssignmentToArm,
  policyToArm,
  requestToArm,
  type ShapeDeps,
} from "./pimShapes";
import { roleDefinitionId } from "./pimStore";

interface Filter {
  principalId?: string;
  /** `asTarget()` was given (not just a principalId). */
  asTarget: boolean;
  atScope: boolean;
  asRequestor: boolean;
  roleDefinitionGuid?: string;
  roleName?: string;
}

export function parseFilter(text: string | undefined, caller: Caller): Filter {
  const f: Filter = { atScope: false, asRequestor: false, asTarget: false };
  if (!text || !text.trim()) return f;
  for (const part of text.split(/\s+and\s+/i)) {
    const t = part.trim();
    let m: RegExpExecArray | null;
    if (/^asTarget\(\)$/i.test(t)) {
      f.principalId = caller.objectId;
      f.asTarget = true;
    }
    else if (/^asRequestor\(\)$/i.test(t)) f.asRequestor = true;
    else if (/^atScope\(\)$/i.test(t)) f.atScope = true;
    else if ((m = /^principalId\s+eq\s+'?([0-9a-f-]+)'?$/i.exec(t))) f.principalId = m[1];
    else if ((m = /^assignedTo\('([0-9a-f-]+)'\)$/i.exec(t))) f.principalId = m[1];
    else if ((m = /^roleDefinitionId\s+eq\s+'([^']+)'$/i.exec(t))) f.roleDefinitionGuid = m[1]!.split("/").pop();
    else if ((m = /^roleName\s+eq\s+'([^']+)'$/i.exec(t))) f.roleName = m[1];
    else throw new HttpError(400, "InvalidFilter", `The filter '${text}' is not supported. Supported: asTarget(), asRequestor(), atScope(), principalId eq '{id}', assignedTo('{id}'), roleDefinitionId eq '{id}'.`);
  }
  return f;
}

/** `/providers/Microsoft.Subscription/subscriptions/{id}` is another spelling of `/subscriptions/{id}`. */
export function normaliseScope(raw: string): string {
  return raw.replace(/^\/providers\/Microsoft\.Subscription(?=\/subscriptions\/)/i, "").replace(/\/+$/, "");
}

export function registerAuthorization(router: Router, deps: ArmDeps): void {
  const shapes: ShapeDeps = { world: deps.world, directory: deps.directory, rbac: deps.rbac, pim: deps.pim };
  const P = "{*scope}/providers/Microsoft.Authorization";

  /** Validates the scope's tenant; returns the normalised scope. */
  const scopeOf = (req: SimRequest, raw: string): string => {
    const scope = normaliseScope(raw);
    const m = /^\/subscriptions\/([^/]+)/i.exec(scope);
    if (m) requireSubscription(deps, req, m[1]!);
    return scope;
  };
  const covers = (a: string, b: string): boolean => deps.world.lineage.covers(a, b);
  /**
   * Items at, above or below the list scope; management-group rows above a subscription-rooted
   * scope are "inherited". Unfiltered lists include them (Get-AzRoleEligibilitySchedule example 2);
   * whether `asTarget()` does below the tenant root is unknown, so it is a switch (azure-facts §3).
   */
  const inRelation = (itemScope: string, scope: string, f: Filter): boolean => {
    const related = f.atScope ? covers(itemScope, scope) : covers(itemScope, scope) || covers(scope, itemScope);
    if (!related || !f.asTarget || deps.settings.asTargetIncludesInherited) return related;
    const inherited = ScopeLineage.isManagementGroup(itemScope) && idKey(scope) !== "" && !ScopeLineage.isManagementGroup(scope);
    return !inherited;
  };
  const mayReadOthers = (caller: Caller, action: string, scope: string, f: Filter): void => {
    if (f.principalId && f.principalId.toLowerCase() === caller.objectId.toLowerCase()) return;
    if (f.asRequestor) return;
    if (!deps.rbac.can(caller, action, scope || "/")) throw authorizationFailed(caller, action, scope || "/");
  };

  type Item = { scope: string; principalId: string; tenantId: string; roleGuid: string; name: string };
  const collection = <T extends Item>(segment: string, items: () => T[], render: (t: T) => Record<string, unknown>, nameOf: (t: T) => string): void => {
    const action = `Microsoft.Authorization/${segment}/read`;
    router.add("GET", `${P}/${segment}`, (req, p) => {
      const caller = callerOf(req);
      const scope = scopeOf(req, p.scope!);
      const f = parseFilter(queryParam(req, "$filter"), caller);
      mayReadOthers(caller, action, scope, f);
      const list = items().filter(
        (x) =>
          x.tenantId.toLowerCase() === caller.tenantId.toLowerCase() &&
          inRelation(x.scope, scope, f) &&
          (!f.principalId || x.principalId.toLowerCase() === f.principalId.toLowerCase()) &&
          (!f.roleDefinitionGuid || x.roleGuid.toLowerCase() === f.roleDefinitionGuid.toLowerCase()),
      );
      return { status: 200, body: page(req, list.map(render), deps.settings.armPageSize) };
    });
    router.add("GET", `${P}/${segment}/{name}`, (req, p) => {
      const caller = callerOf(req);
      scopeOf(req, p.scope!);
      const item = items().find((x) => nameOf(x).toLowerCase() === p.name!.toLowerCase() && x.tenantId.toLowerCase() === caller.tenantId.toLowerCase());
      if (!item) throw new HttpError(404, "RoleAssignmentScheduleNotFound", `The ${segment} '${p.name}' was not found.`);
      if (item.principalId.toLowerCase() !== caller.objectId.toLowerCase() && !deps.rbac.can(caller, action, item.scope || "/")) throw authorizationFailed(caller, action, item.scope || "/");
      return { status: 200, body: render(item) };
    });
  };

  collection("roleEligibilitySchedules", () => deps.pim.eligibilities, (e) => eligibilityScheduleToArm(shapes, e), (e) => e.name);
  collection("roleEligibilityScheduleInstances", () => deps.pim.eligibilities.filter((e) => deps.pim.eligibilityActive(e)), (e) => eligibilityInstanceToArm(shapes, e), (e) => e.instanceName);
  collection("roleAssignmentSchedules", () => deps.pim.assignments.filter((a) => a.end > deps.clock.now() && a.revokedAt === undefined), (a) => assignmentScheduleToArm(shapes, a), (a) => a.name);
  collection("roleAssignmentScheduleInstances", () => deps.pim.assignments.filter((a) => deps.pim.assignmentActive(a)), (a) => assignmentInstanceToArm(shapes, a), (a) => a.instanceName);

  // --- requests
  const requestItems = (): (Item & { r: (typeof deps.pim.requests)[number] })[] =>
    deps.pim.requests.map((r) => ({ scope: r.scope, principalId: r.principalId, tenantId: r.tenantId, roleGuid: r.roleGuid, name: r.name, r }));
  router.add("GET", `${P}/roleAssignmentScheduleRequests`, (req, p) => {
    const caller = callerOf(req);
    const scope = scopeOf(req, p.scope!);
    const f = parseFilter(queryParam(req, "$filter"), caller);
    mayReadOthers(caller, "Microsoft.Authorization/roleAssignmentScheduleRequests/read", scope, f);
    const list = requestItems().filter(
      (x) =>
        x.tenantId.toLowerCase() === caller.tenantId.toLowerCase() &&
        inRelation(x.scope, scope, f) &&
        (!f.principalId || x.principalId.toLowerCase() === f.principalId.toLowerCase()) &&
        (!f.asRequestor || x.r.requestorId.toLowerCase() === caller.objectId.toLowerCase()),
    );
    return { status: 200, body: page(req, list.map((x) => requestToArm(shapes, x.r, deps.pim.status(x.r))), deps.settings.armPageSize) };
  });
  router.add("GET", `${P}/roleAssignmentScheduleRequests/{name}`, (req, p) => {
    const caller = callerOf(req);
    scopeOf(req, p.scope!);
    const r = deps.pim.request(p.name!);
    if (!r || r.tenantId.toLowerCase() !== caller.tenantId.toLowerCase()) throw new HttpError(404, "RoleAssignmentScheduleRequestNotFound", `The role assignment schedule request '${p.name}' was not found.`);
    if (r.principalId.toLowerCase() !== caller.objectId.toLowerCase() && !deps.rbac.can(caller, "Microsoft.Authorization/roleAssignmentScheduleRequests/read", r.scope || "/")) {
      throw authorizationFailed(caller, "Microsoft.Authorization/roleAssignmentScheduleRequests/read", r.scope || "/");
    }
    return { status: 200, body: requestToArm(shapes, r, deps.pim.status(r)) };
  });
  const submit = (req: SimRequest, rawScope: string, name: string, validateOnly: boolean): Reply => {
    const caller = callerOf(req);
    const scope = scopeOf(req, rawScope);
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString("utf8") || "{}");
    } catch {
      throw new HttpError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
    }
    const { request, status } = deps.pim.submit(caller, scope, name, body, validateOnly);
    req.audit.detail = `${request.requestType} ${deps.rbac.role(request.roleGuid)?.name ?? request.roleGuid} at ${scope || "/"} → ${status}`;
    return { status: validateOnly ? 200 : 201, body: requestToArm(shapes, request, status) };
  };
  router.add("PUT", `${P}/roleAssignmentScheduleRequests/{name}`, (req, p) => submit(req, p.scope!, p.name!, false));
  router.add("POST", `${P}/roleAssignmentScheduleRequests/{name}/validate`, (req, p) => submit(req, p.scope!, p.name!, true));
  router.add("POST", `${P}/roleAssignmentScheduleRequests/{name}/cancel`, (req, p) => {
    scopeOf(req, p.scope!);
    deps.pim.cancel(callerOf(req), p.name!);
    return { status: 200 };
  });

  // --- policies and policy assignments
  // Reading a policy needs its read action at the scope (Reader's */read covers both); an
  // eligibility alone does not grant it (FIDELITY.md, "PIM and Entra").
  const mayReadPolicies = (caller: Caller, scope: string, segment: "roleManagementPolicies" | "roleManagementPolicyAssignments"): void => {
    const action = `Microsoft.Authorization/${segment}/read`;
    if (!deps.rbac.can(caller, action, scope || "/")) throw authorizationFailed(caller, action, scope || "/");
  };
  const roles = (): RoleDefinitionModel[] => deps.rbac.allRoles();
  router.add("GET", `${P}/roleManagementPolicies`, (req, p) => {
    const scope = scopeOf(req, p.scope!);
    mayReadPolicies(callerOf(req), scope, "roleManagementPolicies");
    return { status: 200, body: page(req, roles().map((r) => policyToArm(shapes, scope, r.guid)), deps.settings.armPageSize) };
  });
  router.add("GET", `${P}/roleManagementPolicies/{name}`, (req, p) => {
    const scope = scopeOf(req, p.scope!);
    mayReadPolicies(callerOf(req), scope, "roleManagementPolicies");
    const found = roles().map((r) => policyToArm(shapes, scope, r.guid)).find((x) => String(x.name).toLowerCase() === p.name!.toLowerCase());
    if (!found) throw new HttpError(404, "RoleManagementPolicyNotFound", `The role management policy '${p.name}' was not found at scope '${scope || "/"}'.`);
    return { status: 200, body: found };
  });
  router.add("GET", `${P}/roleManagementPolicyAssignments`, (req, p) => {
    const scope = scopeOf(req, p.scope!);
    mayReadPolicies(callerOf(req), scope, "roleManagementPolicyAssignments");
    return { status: 200, body: page(req, roles().map((r) => policyAssignmentToArm(shapes, scope, r.guid)), deps.settings.armPageSize) };
  });
  router.add("GET", `${P}/roleManagementPolicyAssignments/{name}`, (req, p) => {
    const scope = scopeOf(req, p.scope!);
    mayReadPolicies(callerOf(req), scope, "roleManagementPolicyAssignments");
    const found = roles().map((r) => policyAssignmentToArm(shapes, scope, r.guid)).find((x) => String(x.name).toLowerCase() === p.name!.toLowerCase());
    if (!found) throw new HttpError(404, "RoleManagementPolicyAssignmentNotFound", `The role management policy assignment '${p.name}' was not found at scope '${scope || "/"}'.`);
    return { status: 200, body: found };
  });

  // --- role definitions and role assignments
  const roleToArm = (scope: string, r: RoleDefinitionModel): Record<string, unknown> => ({
    id: roleDefinitionId(scope, r.guid),
    type: "Microsoft.Authorization/roleDefinitions",
    name: r.guid,
    properties: {
      roleName: r.name,
      type: r.type,
      description: r.description,
      assignableScopes: ["/"],
      permissions: [{ actions: r.permissions.actions, notActions: r.permissions.notActions, dataActions: r.permissions.dataActions, notDataActions: r.permissions.notDataActions }],
      createdOn: "2020-01-01T00:00:00.0000000Z",
      updatedOn: "2020-01-01T00:00:00.0000000Z",
      createdBy: null,
      updatedBy: null,
    },
  });
  router.add("GET", `${P}/roleDefinitions`, (req, p) => {
    const caller = callerOf(req);
    const scope = scopeOf(req, p.scope!);
    const f = parseFilter(queryParam(req, "$filter"), caller);
    const list = roles().filter((r) => !f.roleName || r.name.toLowerCase() === f.roleName.toLowerCase());
    return { status: 200, body: page(req, list.map((r) => roleToArm(scope, r)), deps.settings.armPageSize) };
  });
  router.add("GET", `${P}/roleDefinitions/{id}`, (req, p) => {
    const scope = scopeOf(req, p.scope!);
    const r = deps.rbac.role(p.id!);
    if (!r) throw new HttpError(404, "RoleDefinitionDoesNotExist", `The specified role definition with ID '${p.id}' does not exist.`);
    return { status: 200, body: roleToArm(scope, r) };
  });
  router.add("GET", `${P}/roleAssignments`, (req, p) => {
    const caller = callerOf(req);
    const scope = scopeOf(req, p.scope!);
    const f = parseFilter(queryParam(req, "$filter"), caller);
    mayReadOthers(caller, "Microsoft.Authorization/roleAssignments/read", scope, f);
    const standing = deps.world.scenario.roleAssignments;
    const activated = f.principalId ? deps.pim.activeRoleAssignments(f.principalId) : deps.pim.assignments.filter((a) => deps.pim.assignmentActive(a)).flatMap((a) => deps.pim.activeRoleAssignments(a.principalId).filter((x) => x.name === a.name));
    const list = [...standing, ...activated].filter(
      (a) =>
        a.tenantId.toLowerCase() === caller.tenantId.toLowerCase() &&
        inRelation(a.scope, scope, f) &&
        (!f.principalId || a.principalId.toLowerCase() === f.principalId.toLowerCase()),
    );
    const seen = new Set<string>();
    const value = list
      .filter((a) => (seen.has(idKey(a.name)) ? false : (seen.add(idKey(a.name)), true)))
      .map((a) => ({
        id: `${a.scope === "/" ? "" : a.scope}/providers/Microsoft.Authorization/roleAssignments/${a.name}`,
        type: "Microsoft.Authorization/roleAssignments",
        name: a.name,
        properties: { roleDefinitionId: roleDefinitionId(a.scope, a.roleGuid), principalId: a.principalId, principalType: a.principalType, scope: a.scope, condition: null, conditionVersion: null, description: null },
      }));
    return { status: 200, body: page(req, value, deps.settings.armPageSize) };
  });
}
