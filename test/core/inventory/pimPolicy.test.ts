import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { failedPolicyRules, parsePimRules } from "../../../src/core/inventory/pimPolicy";

const endUser = { caller: "EndUser", operations: ["All"], level: "Assignment" };
const admin = { caller: "Admin", operations: ["All"], level: "Assignment" };

describe("parsePimRules", () => {
  it("reads the EndUser Assignment rules (SDK-flattened shape)", () => {
    const req = parsePimRules([
      { id: "Expiration_EndUser_Assignment", ruleType: "RoleManagementPolicyExpirationRule", isExpirationRequired: true, maximumDuration: "PT8H", target: endUser },
      { id: "Enablement_EndUser_Assignment", ruleType: "RoleManagementPolicyEnablementRule", enabledRules: ["MultiFactorAuthentication", "Justification", "Ticketing"], target: endUser },
      { id: "Approval_EndUser_Assignment", ruleType: "RoleManagementPolicyApprovalRule", setting: { isApprovalRequired: true, isApprovalRequiredForExtension: false }, target: endUser },
      { id: "AuthenticationContext_EndUser_Assignment", ruleType: "RoleManagementPolicyAuthenticationContextRule", isEnabled: true, claimValue: "c1", target: endUser },
    ]);
    assert.deepEqual(req, { approval: true, approvalForExtension: false, mfa: true, justification: true, ticket: true, authenticationContext: "c1", maxDurationMs: 8 * 3600_000 });
  });

  it("ignores admin rules, disabled auth context, unknown rule types and garbage", () => {
    const req = parsePimRules([
      { id: "Expiration_Admin_Assignment", ruleType: "RoleManagementPolicyExpirationRule", maximumDuration: "P90D", target: admin },
      { id: "Enablement_Admin_Assignment", ruleType: "RoleManagementPolicyEnablementRule", enabledRules: ["Justification"], target: admin },
      { id: "AuthenticationContext_EndUser_Assignment", ruleType: "RoleManagementPolicyAuthenticationContextRule", isEnabled: false, claimValue: "c1", target: endUser },
      { id: "Notification_Admin_EndUser_Assignment", ruleType: "RoleManagementPolicyNotificationRule", target: endUser },
      null,
      "x",
    ]);
    assert.deepEqual(req, { approval: false, approvalForExtension: false, mfa: false, justification: false, ticket: false });
  });

  it("accepts raw ARM JSON (properties kept) and rules identified by id only", () => {
    const req = parsePimRules([{ properties: { id: "Expiration_EndUser_Assignment", ruleType: "RoleManagementPolicyExpirationRule", maximumDuration: "PT2H" } }]);
    assert.equal(req.maxDurationMs, 2 * 3600_000);
  });
});

describe("failedPolicyRules", () => {
  it("parses the rule list of RoleAssignmentRequestPolicyValidationFailed (§2.7)", () => {
    assert.deepEqual(failedPolicyRules('The following policy rules failed: ["ExpirationRule"]'), ["ExpirationRule"]);
    assert.deepEqual(failedPolicyRules('The following policy rules failed: ["EligibilityRule","ExpirationRule"]'), ["EligibilityRule", "ExpirationRule"]);
    assert.deepEqual(failedPolicyRules("something else"), []);
  });
});
