import type { RoleAssignmentScheduleInstance, RoleEligibilityScheduleInstance } from "@azure/arm-authorization";
import { armIdKey, lastSegment, normalizeArmId, pimScope } from "../azure/armIds";
import { type AzureContext, callAzure } from "../azure/azureContext";
import { collect } from "./concurrency";
import { parsePimRules } from "./pimPolicy";
import { roleKey } from "./roleSelection";
import type { ActiveAssignment, Eligibility, PimPolicy } from "./types";

/**
 * PIM reads for the caller (azure-protocols §2.2–§2.4). Lists are tenant-wide with `asTarget()`
 * ("created for the current user"), one call per tenant whatever the number of subscriptions; the
 * tenant scope is the empty string; the SDK would send `//providers/...` for it, which
 * `canonicalArmPathPolicy` (azureSdk.ts) sends as the canonical `/providers/...`.
 */

const TENANT_SCOPE = "";

function eligibilityFrom(tenantId: string, e: RoleEligibilityScheduleInstance): Eligibility | undefined {
  if (!e.scope || !e.roleDefinitionId) return undefined;
  return {
    id: e.id ?? `${e.scope}|${e.roleDefinitionId}`,
    tenantId,
    scope: normalizeArmId(e.scope),
    scopeDisplayName: e.expandedProperties?.scope?.displayName,
    roleDefinitionId: e.roleDefinitionId,
    roleName: e.expandedProperties?.roleDefinition?.displayName,
    roleEligibilityScheduleId: e.roleEligibilityScheduleId,
    principalId: e.principalId,
    endsAt: e.endDateTime?.getTime(),
  };
}

function assignmentFrom(tenantId: string, a: RoleAssignmentScheduleInstance): ActiveAssignment | undefined {
  if (!a.scope || !a.roleDefinitionId) return undefined;
  return {
    id: a.id,
    tenantId,
    scope: normalizeArmId(a.scope),
    roleDefinitionId: a.roleDefinitionId,
    roleName: a.expandedProperties?.roleDefinition?.displayName,
    assignmentType: a.assignmentType,
    startsAt: a.startDateTime?.getTime(),
    endsAt: a.endDateTime?.getTime(),
    linkedRoleEligibilityScheduleId: a.linkedRoleEligibilityScheduleId,
    roleAssignmentScheduleId: a.roleAssignmentScheduleId,
  };
}

export async function listEligibilities(ctx: AzureContext, tenantId: string, signal?: AbortSignal): Promise<Eligibility[]> {
  const items = await callAzure(ctx, "list your PIM eligibilities", () =>
    collect(ctx.clients.authorization(tenantId).roleEligibilityScheduleInstances.listForScope(TENANT_SCOPE, { filter: "asTarget()", abortSignal: signal })),
  );
  return items.map((e) => eligibilityFrom(tenantId, e)).filter((e): e is Eligibility => e !== undefined);
}

export async function listActiveAssignments(ctx: AzureContext, tenantId: string, signal?: AbortSignal): Promise<ActiveAssignment[]> {
  const items = await callAzure(ctx, "list your active role assignments", () =>
    collect(ctx.clients.authorization(tenantId).roleAssignmentScheduleInstances.listForScope(TENANT_SCOPE, { filter: "asTarget()", abortSignal: signal })),
  );
  return items.map((a) => assignmentFrom(tenantId, a)).filter((a): a is ActiveAssignment => a !== undefined);
}

/** Active assignments of one role at one scope: used to see whether an activation is effective yet. */
export async function listActiveAssignmentsAt(ctx: AzureContext, tenantId: string, scope: string, signal?: AbortSignal): Promise<ActiveAssignment[]> {
  const items = await callAzure(ctx, `read active role assignments at ${scope}`, () =>
    collect(ctx.clients.authorization(tenantId).roleAssignmentScheduleInstances.listForScope(pimScope(scope), { filter: "asTarget()", abortSignal: signal })),
  );
  return items.map((a) => assignmentFrom(tenantId, a)).filter((a): a is ActiveAssignment => a !== undefined && armIdKey(a.scope) === armIdKey(scope));
}

/**
 * Reads PIM policies per (scope, role). The policy-assignment list has no server-side filter, so one
 * list per scope is shared by every role at that scope (azure-protocols §2.4).
 */
export class PimPolicyReader {
  private readonly byScope = new Map<string, Promise<{ roleDefinitionId?: string; policyId?: string; effectiveRules?: unknown[] }[]>>();

  constructor(
    private readonly ctx: AzureContext,
    private readonly tenantId: string,
  ) {}

  async get(scope: string, roleDefinitionId: string, signal?: AbortSignal): Promise<PimPolicy | undefined> {
    const key = armIdKey(scope);
    let list = this.byScope.get(key);
    if (!list) {
      list = callAzure(this.ctx, `read the PIM policy at ${scope}`, () =>
        collect(this.ctx.clients.authorization(this.tenantId).roleManagementPolicyAssignments.listForScope(pimScope(scope), { abortSignal: signal })),
      );
      this.byScope.set(key, list);
      list.catch(() => this.byScope.delete(key));
    }
    const assignment = (await list).find((a) => a.roleDefinitionId !== undefined && roleKey(a.roleDefinitionId) === roleKey(roleDefinitionId));
    if (!assignment) return undefined;
    let rules = assignment.effectiveRules;
    if (!rules && assignment.policyId) {
      const policyName = lastSegment(assignment.policyId);
      const policy = await callAzure(this.ctx, `read the PIM policy ${policyName}`, () => this.ctx.clients.authorization(this.tenantId).roleManagementPolicies.get(pimScope(scope), policyName, { abortSignal: signal }));
      rules = policy.effectiveRules ?? policy.rules;
    }
    return { scope: normalizeArmId(scope), roleDefinitionId, policyId: assignment.policyId, requirements: parsePimRules(rules) };
  }
}
