import type { RoleAssignment, RoleDefinition } from "@azure/arm-authorization";
import { pimScope, scopeContains } from "../azure/armIds";
import { type AzureContext, callAzure, getCallerIdentity } from "../azure/azureContext";
import { isCancellation } from "../cancellation";
import { checkPreconditions } from "../access/preconditions";
import { errorMessage, isJitError, JitError } from "../errors";
import { collect } from "../inventory/concurrency";
import type { VmEntry } from "../inventory/loadInventory";
import { queryResources } from "../inventory/resourceGraph";
import { describeUntrusted } from "../ssh/untrustedText";
import { allowsAction, allowsDataAction, GET_SECRET_DATA_ACTION, type RolePermissions, START_VM_ACTION } from "./rolePermissions";

/**
 * Preflight before privilege: everything knowable without activating a role or opening JIT is
 * checked first, and a connection bound to fail stops here with what to do, before any PIM or JIT
 * request exists (nothing to deactivate, nothing in the audit trail, no approver bothered).
 */

export interface RoleRead {
  roleName?: string;
  permissions: RolePermissions[];
}

/** Reads one role definition (by full id). Readers have `Microsoft.Authorization/roleDefinitions/read` at any scope. */
export async function readRoleDefinition(ctx: AzureContext, tenantId: string, roleDefinitionId: string, signal?: AbortSignal): Promise<RoleRead> {
  const def: RoleDefinition = await callAzure(ctx, "read a role definition", () => ctx.clients.authorization(tenantId).roleDefinitions.getById(roleDefinitionId, { abortSignal: signal }));
  return { roleName: def.roleName, permissions: def.permissions ?? [] };
}

/** The role the access flow uses for this VM: the active one, else the eligibility it would activate. */
function roleOf(vm: VmEntry): { roleDefinitionId: string; roleName?: string; scope: string } | undefined {
  return vm.activeAssignment ?? vm.eligibility;
}

/** Whether the VM's role allows starting it: true, false, or undefined when the definition cannot be read. */
export async function roleAllowsStart(ctx: AzureContext, vm: VmEntry, signal?: AbortSignal): Promise<{ allowed: boolean | undefined; roleName?: string; why?: string }> {
  const role = roleOf(vm);
  if (!role) return { allowed: false };
  try {
    const def = await readRoleDefinition(ctx, vm.tenantId, role.roleDefinitionId, signal);
    return { allowed: allowsAction(def.permissions, START_VM_ACTION), roleName: def.roleName ?? role.roleName };
  } catch (e) {
    if (isCancellation(e)) throw e;
    return { allowed: undefined, roleName: role.roleName, why: errorMessage(e) };
  }
}

/**
 * Refuses a request or a connection that cannot work, before any privilege: the structural checks
 * (OS, role, JIT policy, port and sources against the Bastion subnet, Bastion: preconditions.ts)
 * and the VM's power state. A stopped VM stops a connection (start it first); a request for it goes on
 * only when the role being activated allows starting it (that is what the activation is for).
 */
export async function checkBeforePrivilege(ctx: AzureContext, vm: VmEntry, purpose: "connect" | "request", signal?: AbortSignal): Promise<void> {
  checkPreconditions(vm);
  if (vm.powerState === "running") return;
  const start = await roleAllowsStart(ctx, vm, signal);
  const role = start.roleName ? `"${start.roleName}"` : "your role";
  const startAdvice =
    start.allowed === true
      ? `${role} allows starting it once active: request access, then run “Azure JIT: Start VM”.`
      : start.allowed === false
        ? `${role} does not include ${START_VM_ACTION}, so you cannot start it: ask the VM's owner to start it.`
        : `Whether ${role} allows starting it is unknown (${start.why ?? "its definition could not be read"}).`;
  if (purpose === "request" && start.allowed !== false) return;
  const state = vm.powerState === "unknown" ? "in an unknown power state" : vm.powerState;
  throw new JitError("VmNotRunning", `${vm.name} is ${state}; connecting would fail. Start it first. ${startAdvice}`, { details: { vmId: vm.id, canStart: start.allowed } });
}

export type SecretVerdict =
  | { verdict: "readable"; reason: string }
  | { verdict: "notReadable"; reason: string }
  | { verdict: "unknown"; reason: string };

interface VaultRow {
  id: string;
  name: string;
  rbac: boolean;
}

/** The vault (ARM id, permission model) whose data-plane host is `host`, from Resource Graph. */
async function findVault(ctx: AzureContext, vm: VmEntry, subscriptionIds: readonly string[], host: string, signal?: AbortSignal): Promise<VaultRow | undefined> {
  const rows = await queryResources(ctx, vm.tenantId, subscriptionIds, ["microsoft.keyvault/vaults"], signal);
  for (const row of rows) {
    const props = (row.properties ?? {}) as { vaultUri?: unknown; enableRbacAuthorization?: unknown };
    if (typeof row.id !== "string" || typeof props.vaultUri !== "string") continue;
    let vaultHost: string;
    try {
      vaultHost = new URL(props.vaultUri).host.toLowerCase();
    } catch {
      continue;
    }
    if (vaultHost === host.toLowerCase()) return { id: row.id, name: String(row.name ?? ""), rbac: props.enableRbacAuthorization === true };
  }
  return undefined;
}

/**
 * Will the secret be readable once the VM's role is active? From what can be read without
 * privilege: the vault's ARM id and permission model (Resource Graph), the user's role assignments
 * that cover the vault, and the role definitions of those and of the role about to be activated,
 * checked for the getSecret data action. Deny assignments and ABAC conditions are not evaluated:
 * a condition makes the answer "cannot tell", and only "will not" stops a connection.
 */
export async function secretReadability(ctx: AzureContext, vm: VmEntry, secretUri: string, subscriptionIds: readonly string[], signal?: AbortSignal): Promise<SecretVerdict> {
  let host: string;
  try {
    host = new URL(secretUri).host;
  } catch {
    return { verdict: "unknown", reason: "the secret URI is not a URL" };
  }
  const shownVault = describeUntrusted(host);
  try {
    const vault = await findVault(ctx, vm, subscriptionIds, host, signal);
    if (!vault) return { verdict: "unknown", reason: `the vault ${shownVault} is not visible to you in Azure Resource Graph` };
    if (!vault.rbac) return { verdict: "unknown", reason: `the vault ${shownVault} uses access policies, which cannot be read without privilege` };
    const me = (await getCallerIdentity(ctx, vm.tenantId, signal)).principalId;
    const assignments: RoleAssignment[] = await callAzure(ctx, "list your role assignments on the vault", () =>
      collect(ctx.clients.authorization(vm.tenantId).roleAssignments.listForScope(pimScope(vault.id), { filter: `assignedTo('${me}')`, abortSignal: signal })),
    );
    const covering = assignments.filter((a) => a.scope !== undefined && a.roleDefinitionId !== undefined && scopeContains(a.scope, vault.id));
    const toActivate = vm.activeAssignment ? undefined : vm.eligibility && scopeContains(vm.eligibility.scope, vault.id) ? vm.eligibility : undefined;
    const roleIds = [...new Set([...covering.map((a) => a.roleDefinitionId!), ...(toActivate ? [toActivate.roleDefinitionId] : [])].map((id) => id.toLowerCase()))];
    const roles = await Promise.all(roleIds.map(async (id) => ({ id, def: await readRoleDefinition(ctx, vm.tenantId, id, signal) })));
    const granting = roles.find((r) => allowsDataAction(r.def.permissions, GET_SECRET_DATA_ACTION));
    if (granting) return { verdict: "readable", reason: `"${granting.def.roleName ?? granting.id}" allows reading secrets of ${vault.name}` };
    if (covering.some((a) => a.condition)) return { verdict: "unknown", reason: `a role assignment on ${vault.name} carries a condition that cannot be evaluated here` };
    const names = roles.map((r) => `"${r.def.roleName ?? r.id}"`);
    const activation = vm.eligibility && !vm.activeAssignment ? ` Activating "${vm.eligibility.roleName ?? "the role"}" for ${vm.name} does not add it.` : "";
    return {
      verdict: "notReadable",
      reason: `None of your roles on the vault ${vault.name}${names.length > 0 ? ` (${names.join(", ")})` : ""} allows ${GET_SECRET_DATA_ACTION}.${activation} Ask for "Key Vault Secrets User" on the vault, or choose another credential.`,
    };
  } catch (e) {
    if (isCancellation(e)) throw e;
    return { verdict: "unknown", reason: `the permissions could not be read (${isJitError(e) ? e.message : errorMessage(e)})` };
  }
}
