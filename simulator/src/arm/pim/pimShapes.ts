/** JSON of PIM resources as the 2020-10-01 API returns them (§2.2, §2.3, §2.5, [SPEC-PIM] examples). */
import type { Directory } from "../../world/directory";
import type { Rbac } from "../../world/rbac";
import type { World } from "../../world/world";
import { policyName, policyRules } from "./pimPolicy";
import { eligibilityScheduleId, roleDefinitionId, type AssignmentSchedule, type EligibilitySchedule, type PimStore, type ScheduleRequest } from "./pimStore";

export interface ShapeDeps {
  world: World;
  directory: Directory;
  rbac: Rbac;
  pim: PimStore;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** No ABAC condition is modelled; ARM answers `null` for both when an assignment has none. */
const NO_CONDITION = { condition: null, conditionVersion: null } as const;

/** Who last changed a policy: never anyone in the simulated world, so every member is null (the object itself is always there, as in the examples). */
const NOBODY = { id: null, displayName: null, type: null, email: null } as const;

function scopeInfo(d: ShapeDeps, scope: string): { id: string; displayName: string; type: string } {
  const parts = scope.split("/").filter((s) => s.length > 0);
  if (parts.length === 0) return { id: "/", displayName: "Tenant Root", type: "managementgroup" };
  if (parts.length === 2 && parts[0]!.toLowerCase() === "subscriptions") return { id: scope, displayName: d.world.subscription(parts[1]!)?.name ?? parts[1]!, type: "subscription" };
  if (parts.length === 4 && parts[2]!.toLowerCase() === "resourcegroups") return { id: scope, displayName: parts[3]!, type: "resourcegroup" };
  return { id: scope, displayName: parts[parts.length - 1]!, type: "resource" };
}

function expanded(d: ShapeDeps, scope: string, roleGuid: string, principalId: string): Record<string, unknown> {
  const role = d.rbac.role(roleGuid);
  const p = d.directory.principalName(principalId);
  return {
    scope: scopeInfo(d, scope),
    roleDefinition: { id: roleDefinitionId(scope, roleGuid), displayName: role?.name ?? roleGuid, type: role?.type ?? "BuiltInRole" },
    principal: { id: principalId, displayName: p?.displayName ?? principalId, ...(p?.email ? { email: p.email } : {}), type: p?.type ?? "User" },
  };
}

/** The properties every schedule and instance starts with: who holds which role where, and when. */
function roleWindow(e: EligibilitySchedule | AssignmentSchedule): Record<string, unknown> {
  return {
    scope: e.scope || "/",
    roleDefinitionId: roleDefinitionId(e.scope, e.roleGuid),
    principalId: e.principalId,
    principalType: e.principalType,
    startDateTime: iso(e.start),
    endDateTime: iso(e.end),
  };
}

export function eligibilityScheduleToArm(d: ShapeDeps, e: EligibilitySchedule): Record<string, unknown> {
  return {
    properties: {
      ...roleWindow(e),
      roleEligibilityScheduleRequestId: `${e.scope}/providers/Microsoft.Authorization/roleEligibilityScheduleRequests/${e.name}`,
      status: "Provisioned",
      memberType: "Direct",
      createdOn: iso(e.start),
      updatedOn: iso(e.start),
      expandedProperties: expanded(d, e.scope, e.roleGuid, e.principalId),
    },
    name: e.name,
    id: eligibilityScheduleId(e),
    type: "Microsoft.Authorization/roleEligibilitySchedules",
  };
}

export function eligibilityInstanceToArm(d: ShapeDeps, e: EligibilitySchedule): Record<string, unknown> {
  return {
    properties: {
      ...roleWindow(e),
      status: "Provisioned",
      roleEligibilityScheduleId: eligibilityScheduleId(e),
      memberType: "Direct",
      createdOn: iso(e.start),
      ...NO_CONDITION,
      expandedProperties: expanded(d, e.scope, e.roleGuid, e.principalId),
    },
    name: e.instanceName,
    id: `${e.scope}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances/${e.instanceName}`,
    type: "Microsoft.Authorization/roleEligibilityScheduleInstances",
  };
}

export function assignmentScheduleToArm(d: ShapeDeps, a: AssignmentSchedule): Record<string, unknown> {
  return {
    properties: {
      ...roleWindow(a),
      roleAssignmentScheduleRequestId: `${a.scope}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/${a.requestName}`,
      linkedRoleEligibilityScheduleId: a.linkedEligibilityScheduleId,
      status: "Provisioned",
      assignmentType: "Activated",
      memberType: "Direct",
      createdOn: iso(a.createdOn),
      updatedOn: iso(a.createdOn),
      expandedProperties: expanded(d, a.scope, a.roleGuid, a.principalId),
    },
    name: a.name,
    id: `${a.scope}/providers/Microsoft.Authorization/roleAssignmentSchedules/${a.name}`,
    type: "Microsoft.Authorization/roleAssignmentSchedules",
  };
}

export function assignmentInstanceToArm(d: ShapeDeps, a: AssignmentSchedule): Record<string, unknown> {
  return {
    properties: {
      ...roleWindow(a),
      roleAssignmentScheduleId: `${a.scope}/providers/Microsoft.Authorization/roleAssignmentSchedules/${a.name}`,
      originRoleAssignmentId: `${a.scope}/providers/Microsoft.Authorization/roleAssignments/${a.instanceName}`,
      status: "Provisioned",
      linkedRoleEligibilityScheduleId: a.linkedEligibilityScheduleId,
      linkedRoleEligibilityScheduleInstanceId: a.linkedEligibilityInstanceId,
      assignmentType: "Activated",
      memberType: "Direct",
      createdOn: iso(a.createdOn),
      ...NO_CONDITION,
      expandedProperties: expanded(d, a.scope, a.roleGuid, a.principalId),
    },
    name: a.instanceName,
    id: `${a.scope}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances/${a.instanceName}`,
    type: "Microsoft.Authorization/roleAssignmentScheduleInstances",
  };
}

export function requestToArm(d: ShapeDeps, r: ScheduleRequest, status: string): Record<string, unknown> {
  const target = r.targetScheduleName ? d.pim.assignments.find((a) => a.name === r.targetScheduleName) : undefined;
  return {
    properties: {
      targetRoleAssignmentScheduleId: target ? `${target.scope}/providers/Microsoft.Authorization/roleAssignmentSchedules/${target.name}` : null,
      targetRoleAssignmentScheduleInstanceId: target && d.pim.assignmentActive(target) ? `${target.scope}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances/${target.instanceName}` : null,
      scope: r.scope || "/",
      roleDefinitionId: r.roleDefinitionId,
      principalId: r.principalId,
      principalType: r.principalType,
      requestType: r.requestType,
      status,
      approvalId: r.approval === "none" ? null : `${r.scope}/providers/Microsoft.Authorization/roleAssignmentApprovals/${r.name}`,
      scheduleInfo: {
        startDateTime: r.scheduleInfo.startDateTime,
        // Both members, `null` for the one not used, as in the PutRoleAssignmentScheduleRequest example.
        expiration: { type: r.scheduleInfo.expiration.type, endDateTime: r.scheduleInfo.expiration.endDateTime ?? null, duration: r.scheduleInfo.expiration.duration ?? null },
      },
      ticketInfo: { ticketNumber: r.ticketInfo.ticketNumber ?? null, ticketSystem: r.ticketInfo.ticketSystem ?? null },
      justification: r.justification ?? null,
      linkedRoleEligibilityScheduleId: r.linkedRoleEligibilityScheduleId ?? null,
      requestorId: r.requestorId,
      createdOn: iso(r.createdOn),
      ...NO_CONDITION,
      expandedProperties: expanded(d, r.scope, r.roleGuid, r.principalId),
    },
    name: r.name,
    id: `${r.scope}/providers/Microsoft.Authorization/RoleAssignmentScheduleRequests/${r.name}`,
    type: "Microsoft.Authorization/RoleAssignmentScheduleRequests",
  };
}

export function policyToArm(d: ShapeDeps, scope: string, roleGuid: string): Record<string, unknown> {
  const p = d.pim.policyFor(scope, roleGuid);
  const name = policyName(scope, roleGuid);
  const rules = policyRules(p);
  const role = d.rbac.role(roleGuid);
  return {
    properties: {
      scope: scope || "/",
      displayName: "Default",
      description: "Default",
      isOrganizationDefault: false,
      lastModifiedBy: NOBODY,
      lastModifiedDateTime: null,
      rules,
      effectiveRules: rules,
      policyProperties: { scope: scopeInfo(d, scope) },
      ...(role ? {} : {}),
    },
    name,
    id: `${scope}/providers/Microsoft.Authorization/roleManagementPolicies/${name}`,
    type: "Microsoft.Authorization/RoleManagementPolicies",
  };
}

export function policyAssignmentToArm(d: ShapeDeps, scope: string, roleGuid: string): Record<string, unknown> {
  const p = d.pim.policyFor(scope, roleGuid);
  const pName = policyName(scope, roleGuid);
  const policyId = `${scope}/providers/Microsoft.Authorization/roleManagementPolicies/${pName}`;
  const role = d.rbac.role(roleGuid);
  return {
    properties: {
      scope: scope || "/",
      roleDefinitionId: roleDefinitionId(scope, roleGuid),
      policyId,
      effectiveRules: policyRules(p),
      policyAssignmentProperties: {
        scope: scopeInfo(d, scope),
        roleDefinition: { id: roleDefinitionId(scope, roleGuid), displayName: role?.name ?? roleGuid, type: role?.type ?? "BuiltInRole" },
        policy: { id: policyId, lastModifiedBy: NOBODY, lastModifiedDateTime: null },
      },
    },
    name: `${pName}_${roleGuid}`,
    id: `${scope}/providers/Microsoft.Authorization/roleManagementPolicyAssignments/${pName}_${roleGuid}`,
    type: "Microsoft.Authorization/RoleManagementPolicyAssignment",
  };
}
