import { idKey, keyCovers, scopeCovers } from "../util/ids";
import type { RoleAssignmentModel, RoleDefinitionModel } from "./model";
import type { ScopeLineage } from "./scopeLineage";

/** Who is calling, from a verified access token. */
export interface Caller {
  kind: "user" | "servicePrincipal";
  tenantId: string;
  objectId: string;
  /** UPN for users, display name for apps (audit, JIT `requestor`). */
  name: string;
  appId: string;
  amr: string[];
  acrs: string[];
  /** Client declared CAE capability (xms_cc contains cp1). */
  cae: boolean;
  /** Token issue time (ms), to tell whether a CAE challenge was answered with a fresh token. */
  issuedAt: number;
}

const patternCache = new Map<string, RegExp>();

/** Azure action patterns: `*` is a wildcard anywhere; comparison is case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`, "i");
    patternCache.set(pattern, re);
  }
  return re.test(action);
}

export function roleAllows(role: RoleDefinitionModel, action: string, data: boolean): boolean {
  const allow = data ? role.permissions.dataActions : role.permissions.actions;
  const deny = data ? role.permissions.notDataActions : role.permissions.notActions;
  return allow.some((p) => actionMatches(p, action)) && !deny.some((p) => actionMatches(p, action));
}

/**
 * Azure RBAC decisions: an action (or data action) is allowed at `scope` when some active
 * assignment of the caller at that scope or an ancestor has a role that allows it.
 * `assignments` is re-read on each decision so that PIM activations and their expiry count at once.
 */
export class Rbac {
  private readonly roles = new Map<string, RoleDefinitionModel>();

  constructor(
    roles: RoleDefinitionModel[],
    private readonly assignmentsOf: (principalId: string) => RoleAssignmentModel[],
    /** Management-group hierarchy: an assignment at a group covers every subscription below it. */
    private readonly lineage?: ScopeLineage,
  ) {
    for (const r of roles) this.roles.set(r.guid.toLowerCase(), r);
  }

  role(guidOrId: string): RoleDefinitionModel | undefined {
    const guid = guidOrId.split("/").pop() ?? "";
    return this.roles.get(guid.toLowerCase());
  }

  roleByName(name: string): RoleDefinitionModel | undefined {
    const lower = name.toLowerCase();
    for (const r of this.roles.values()) if (r.name.toLowerCase() === lower || r.guid === lower) return r;
    return undefined;
  }

  allRoles(): RoleDefinitionModel[] {
    return [...this.roles.values()];
  }

  can(caller: Pick<Caller, "objectId">, action: string, scope: string, data = false): boolean {
    const target = idKey(scope);
    for (const a of this.assignmentsOf(caller.objectId)) {
      if (!(this.lineage ? this.lineage.covers(a.scope, target) : keyCovers(idKey(a.scope), target))) continue;
      const role = this.roles.get(a.roleGuid.toLowerCase());
      if (role && roleAllows(role, action, data)) return true;
    }
    return false;
  }

  /** True when the caller has any assignment at, above or below `scope` (subscription visibility). */
  touches(caller: Pick<Caller, "objectId">, scope: string): boolean {
    const covers = (x: string, y: string): boolean => (this.lineage ? this.lineage.covers(x, y) : scopeCovers(x, y));
    return this.assignmentsOf(caller.objectId).some((a) => covers(a.scope, scope) || covers(scope, a.scope));
  }
}
