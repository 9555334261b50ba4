import { type AzureContext, callAzure } from "../azure/azureContext";

/** The permission blocks of a role definition (`properties.permissions`). */
export interface RolePermissions {
  roleName?: string;
  permissions: { actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] }[];
}

/**
 * Reads a role definition by its full id (the eligibility's `roleDefinitionId`). Needs
 * `Microsoft.Authorization/roleDefinitions/read`, which every built-in role has.
 */
export async function readRolePermissions(ctx: AzureContext, tenantId: string, roleDefinitionId: string, signal?: AbortSignal): Promise<RolePermissions> {
  const definition = await callAzure(ctx, "read the role definition", () => ctx.clients.authorization(tenantId).roleDefinitions.getById(roleDefinitionId, { abortSignal: signal }));
  return {
    roleName: definition.roleName,
    permissions: (definition.permissions ?? []).map((p) => ({ actions: p.actions ?? [], notActions: p.notActions ?? [], dataActions: p.dataActions ?? [], notDataActions: p.notDataActions ?? [] })),
  };
}

/** Azure RBAC wildcard match: `*` stands for any run of characters, case does not matter. */
export function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "i").test(action);
}

/**
 * Whether the role grants `action`: some permission block lists it (or a wildcard covering it) and
 * that same block does not exclude it (Azure evaluates notActions per block).
 */
export function roleAllows(role: RolePermissions, action: string, kind: "control" | "data" = "control"): boolean {
  return role.permissions.some((block) => {
    const allowed = kind === "control" ? block.actions : block.dataActions;
    const denied = kind === "control" ? block.notActions : block.notDataActions;
    return allowed.some((p) => actionMatches(p, action)) && !denied.some((p) => actionMatches(p, action));
  });
}
