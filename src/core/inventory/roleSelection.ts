import { armIdKey, lastSegment } from "../azure/armIds";
import { managementGroupKey, managementGroupOf } from "./managementGroups";
import type { ActiveAssignment, Eligibility } from "./types";

/**
 * Finds, for a VM, the PIM eligibility that grants access and whether it is active now. Eligibility
 * and assignments are indexed by scope, and a VM looks up only its own ancestors (subscription,
 * resource group, itself, tenant root): the cost is constant per VM whatever the number of roles.
 *
 * Which role is "the JIT role" is not knowable without reading role definitions, so: a VM is covered
 * by its narrowest eligibility; standing ("Assigned") assignments count only for roles the caller is
 * also eligible for somewhere (a standing Reader must not make every VM look reachable).
 * Management-group scopes count for the VMs of the subscriptions below them, given the hierarchy
 * (`groupsAbove`, from getEntities); a deeper group is narrower than its parent, any subscription
 * scope narrower than any group.
 */

export interface RoleMatch {
  eligibility?: Eligibility;
  /** The active assignment of the same role on a covering scope, if any (the longest-lasting). */
  active?: ActiveAssignment;
}

/** Role definitions are compared by GUID: the same role appears under different scope prefixes. */
export function roleKey(roleDefinitionId: string): string {
  return lastSegment(roleDefinitionId).toLowerCase();
}

/** Group names (lower case, root first) above a subscription; empty when unknown. */
export type GroupsAbove = (subscriptionId: string) => readonly string[];

const NO_GROUPS: GroupsAbove = () => [];

function ancestorKeys(vmId: string, groupsAbove: GroupsAbove): string[] {
  const key = armIdKey(vmId);
  const m = /^(\/subscriptions\/([^/]+))(\/resourcegroups\/[^/]+)?/.exec(key);
  const keys = [key, "/"];
  if (m?.[1]) keys.push(m[1]);
  if (m?.[1] && m[3]) keys.push(m[1] + m[3]);
  if (m?.[2]) for (const g of groupsAbove(m[2])) keys.push(managementGroupKey(g));
  return keys;
}

/** Narrowness of a scope covering a VM: tenant root < groups (root first) < subscription-rooted scopes by depth. */
function scopeRank(scope: string, vmId: string, groupsAbove: GroupsAbove): number {
  const key = armIdKey(scope);
  if (key === "/") return 0;
  const group = managementGroupOf(key);
  if (group !== undefined) {
    const sub = /^\/subscriptions\/([^/]+)/.exec(armIdKey(vmId))?.[1] ?? "";
    return 1 + groupsAbove(sub).indexOf(group);
  }
  let depth = 0;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) === 47) depth++;
  return 1000 + depth;
}

export class RoleIndex {
  private readonly eligibilities = new Map<string, Eligibility[]>();
  private readonly actives = new Map<string, ActiveAssignment[]>();
  private readonly jitRoles = new Set<string>();

  constructor(
    eligibilities: readonly Eligibility[],
    actives: readonly ActiveAssignment[],
    private readonly groupsAbove: GroupsAbove = NO_GROUPS,
  ) {
    for (const e of eligibilities) {
      push(this.eligibilities, armIdKey(e.scope), e);
      this.jitRoles.add(roleKey(e.roleDefinitionId));
    }
    for (const a of actives) {
      if (a.assignmentType?.toLowerCase() === "activated") this.jitRoles.add(roleKey(a.roleDefinitionId));
      push(this.actives, armIdKey(a.scope), a);
    }
  }

  /** True when some eligibility or activation covers the VM (it belongs in the inventory). */
  covers(vmId: string): boolean {
    const m = this.match(vmId);
    return m.eligibility !== undefined || m.active !== undefined;
  }

  match(vmId: string, now = Date.now()): RoleMatch {
    const keys = ancestorKeys(vmId, this.groupsAbove);
    const eligible = keys.flatMap((k) => this.eligibilities.get(k) ?? []);
    const eligibility = eligible.sort((a, b) => scopeRank(b.scope, vmId, this.groupsAbove) - scopeRank(a.scope, vmId, this.groupsAbove))[0];
    const wanted = eligibility ? roleKey(eligibility.roleDefinitionId) : undefined;
    const active = keys
      .flatMap((k) => this.actives.get(k) ?? [])
      .filter((a) => (a.endsAt === undefined || a.endsAt > now) && (wanted ? roleKey(a.roleDefinitionId) === wanted : this.jitRoles.has(roleKey(a.roleDefinitionId))))
      .sort((a, b) => (b.endsAt ?? Number.MAX_SAFE_INTEGER) - (a.endsAt ?? Number.MAX_SAFE_INTEGER))[0];
    return { eligibility, active };
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
