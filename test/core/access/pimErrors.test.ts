import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createHttpHeaders, createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { classifyPimError, describePolicyRules } from "../../../src/core/access/pimErrors";
import { JitError } from "../../../src/core/errors";

function armError(status: number, code: string, message: string, headers: Record<string, string> = {}): RestError {
  const request = createPipelineRequest({ url: "https://management.azure.com/x" });
  return new RestError(message, { code, statusCode: status, request, response: { status, headers: createHttpHeaders(headers), request } });
}

describe("classifyPimError", () => {
  it("recognises the documented PIM failures (§2.7)", () => {
    assert.deepEqual(classifyPimError(armError(400, "RoleAssignmentExists", "The Role assignment already exists.")), { kind: "alreadyActive" });
    const acrs = classifyPimError(armError(400, "RoleAssignmentRequestAcrsValidationFailed", "&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D"));
    assert.equal(acrs.kind, "needsClaims");
    assert.match(acrs.kind === "needsClaims" ? (acrs.claims ?? "") : "", /"c1"/);
    assert.deepEqual(classifyPimError(armError(400, "RoleAssignmentRequestPolicyValidationFailed", 'The following policy rules failed: ["MfaRule"]')), { kind: "needsMfa", otherRules: [] });
    const policy = classifyPimError(armError(400, "RoleAssignmentRequestPolicyValidationFailed", 'The following policy rules failed: ["ExpirationRule","JustificationRule"]'));
    assert.equal(policy.kind, "policy");
    assert.deepEqual(policy.kind === "policy" ? policy.rules : [], ["ExpirationRule", "JustificationRule"]);
    assert.equal(classifyPimError(armError(400, "ActiveDurationTooShort", "cannot be deactivated within 5 minutes")).kind, "tooSoon");
    assert.equal(classifyPimError(armError(500, "InternalServerError", "x")).kind, "other");
  });

  it("reads both formats of PIM's policy refusal (a JSON list, and `Rule - text`)", () => {
    const second = classifyPimError(armError(400, "RoleAssignmentRequestPolicyValidationFailed", "JustificationRule - Justification is required"));
    assert.equal(second.kind, "policy");
    assert.deepEqual(second.kind === "policy" ? second.rules : [], ["JustificationRule"]);
  });

  it("looks through the JitError that callAzure wraps around the SDK error", () => {
    const wrapped = new JitError("AzureRequestFailed", "Could not activate", { cause: armError(400, "RoleAssignmentExists", "exists") });
    assert.deepEqual(classifyPimError(wrapped), { kind: "alreadyActive" });
  });

  it("describes failed rules in plain words", () => {
    assert.equal(describePolicyRules(["ExpirationRule", "TicketingRule"]), "the requested duration is longer than the policy allows (or a duration is missing); a ticket number is required");
  });
});
