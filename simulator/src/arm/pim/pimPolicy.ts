/**
 * PIM role management policies (§2.4): one effective policy per (scope, role). The scenario sets
 * policies at some scopes; any other scope inherits the nearest ancestor's, else the default
 * below (modelled on PIM's out-of-the-box settings for Azure resource roles: 8 h maximum,
 * justification required; MFA off here so that plain demo sign-ins work — a documented deviation).
 * Every scope reports a policy per role, as real PIM does; its `rules` are the effective rules.
 */
import { scopeCovers, stableGuid } from "../../util/ids";
import type { PimPolicyModel } from "../../scenario/resolve";

export const DEFAULT_POLICY: Omit<PimPolicyModel, "scope" | "roleGuid"> = {
  maximumDuration: "PT8H",
  maximumDurationMs: 8 * 3600_000,
  requireJustification: true,
  requireTicket: false,
  requireMfa: false,
  requireApproval: false,
  requireApprovalForExtension: false,
  approvers: [],
};

export function effectivePolicy(explicit: PimPolicyModel[], scope: string, roleGuid: string): Omit<PimPolicyModel, "scope" | "roleGuid"> {
  let best: PimPolicyModel | undefined;
  for (const p of explicit) {
    if (p.roleGuid.toLowerCase() !== roleGuid.toLowerCase() || !scopeCovers(p.scope, scope)) continue;
    if (!best || p.scope.length > best.scope.length) best = p;
  }
  return best ?? DEFAULT_POLICY;
}

export function policyName(scope: string, roleGuid: string): string {
  return stableGuid("pim-policy", scope.toLowerCase(), roleGuid.toLowerCase());
}

const target = (caller: "EndUser" | "Admin", level: "Assignment" | "Eligibility"): Record<string, unknown> => ({
  caller,
  operations: ["All"],
  level,
  targetObjects: null,
  inheritableSettings: null,
  enforcedSettings: null,
});

export function policyRules(p: Omit<PimPolicyModel, "scope" | "roleGuid">): Record<string, unknown>[] {
  const enabled = [...(p.requireMfa ? ["MultiFactorAuthentication"] : []), ...(p.requireJustification ? ["Justification"] : []), ...(p.requireTicket ? ["Ticketing"] : [])];
  return [
    { id: "Expiration_Admin_Eligibility", ruleType: "RoleManagementPolicyExpirationRule", isExpirationRequired: false, maximumDuration: "P365D", target: target("Admin", "Eligibility") },
    { id: "Enablement_Admin_Eligibility", ruleType: "RoleManagementPolicyEnablementRule", enabledRules: [], target: target("Admin", "Eligibility") },
    { id: "Expiration_Admin_Assignment", ruleType: "RoleManagementPolicyExpirationRule", isExpirationRequired: false, maximumDuration: "P180D", target: target("Admin", "Assignment") },
    { id: "Enablement_Admin_Assignment", ruleType: "RoleManagementPolicyEnablementRule", enabledRules: ["Justification"], target: target("Admin", "Assignment") },
    { id: "Expiration_EndUser_Assignment", ruleType: "RoleManagementPolicyExpirationRule", isExpirationRequired: true, maximumDuration: p.maximumDuration, target: target("EndUser", "Assignment") },
    { id: "Enablement_EndUser_Assignment", ruleType: "RoleManagementPolicyEnablementRule", enabledRules: enabled, target: target("EndUser", "Assignment") },
    {
      id: "Approval_EndUser_Assignment",
      ruleType: "RoleManagementPolicyApprovalRule",
      setting: {
        isApprovalRequired: p.requireApproval,
        isApprovalRequiredForExtension: p.requireApprovalForExtension,
        isRequestorJustificationRequired: true,
        approvalMode: "SingleStage",
        approvalStages: [
          {
            approvalStageTimeOutInDays: 1,
            isApproverJustificationRequired: true,
            escalationTimeInMinutes: 0,
            primaryApprovers: p.approvers.map((a) => ({ id: a.objectId ?? stableGuid("unknown", a.upn), description: a.upn, isBackup: false, userType: "User" })),
            isEscalationEnabled: false,
            escalationApprovers: null,
          },
        ],
      },
      target: target("EndUser", "Assignment"),
    },
    {
      id: "AuthenticationContext_EndUser_Assignment",
      ruleType: "RoleManagementPolicyAuthenticationContextRule",
      isEnabled: p.authenticationContext !== undefined,
      claimValue: p.authenticationContext ?? "",
      target: target("EndUser", "Assignment"),
    },
    ...(["Admin", "Requestor", "Approver"] as const).map((r) => ({
      id: `Notification_${r}_EndUser_Assignment`,
      ruleType: "RoleManagementPolicyNotificationRule",
      notificationType: "Email",
      recipientType: r,
      notificationLevel: "All",
      notificationRecipients: [],
      isDefaultRecipientsEnabled: true,
      target: target("EndUser", "Assignment"),
    })),
  ];
}
