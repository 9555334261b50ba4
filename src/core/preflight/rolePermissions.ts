/**
 * What a role definition allows, evaluated the way Azure RBAC does (learn.microsoft.com/azure/
 * role-based-access-control/role-definitions, "Actions", "NotActions", "DataActions",
 * "NotDataActions"): operation strings compare without regard to case; `*` in a pattern stands for
 * any run of characters, `/` included; within one permission entry an operation is allowed when an
 * action (or data action) matches and no not-action (not-data-action) does; entries and roles add
 * up. Control-plane actions never grant data actions: `*` in `actions` (Owner) does not read a secret.
 */

export interface RolePermissions {
  actions?: readonly string[];
  notActions?: readonly string[];
  dataActions?: readonly string[];
  notDataActions?: readonly string[];
}

export const GET_SECRET_DATA_ACTION = "Microsoft.KeyVault/vaults/secrets/getSecret/action";
export const START_VM_ACTION = "Microsoft.Compute/virtualMachines/start/action";

const patterns = new Map<string, RegExp>();

/** Whether an RBAC pattern (with `*` wildcards) matches an operation. */
export function operationMatches(pattern: string, operation: string): boolean {
  let re = patterns.get(pattern);
  if (!re) {
    const body = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    re = new RegExp(`^${body}$`, "i");
    patterns.set(pattern, re);
  }
  return re.test(operation);
}

function entryAllows(allow: readonly string[] | undefined, deny: readonly string[] | undefined, operation: string): boolean {
  return (allow ?? []).some((p) => operationMatches(p, operation)) && !(deny ?? []).some((p) => operationMatches(p, operation));
}

/** Whether any of the permission entries allows a control-plane action. */
export function allowsAction(permissions: readonly RolePermissions[], action: string): boolean {
  return permissions.some((p) => entryAllows(p.actions, p.notActions, action));
}

/** Whether any of the permission entries allows a data action. */
export function allowsDataAction(permissions: readonly RolePermissions[], dataAction: string): boolean {
  return permissions.some((p) => entryAllows(p.dataActions, p.notDataActions, dataAction));
}
