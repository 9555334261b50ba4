import { azureCallErrorInfo } from "../azure/azureErrors";
import { claimsFromChallenge, claimsFromPimMessage } from "../azure/claims";
import { failedPolicyRules } from "../inventory/pimPolicy";

/**
 * What a failed PIM activation means for the flow (azure-protocols §2.7). PIM reports policy
 * failures as one 400 `RoleAssignmentRequestPolicyValidationFailed` whose message lists the failed
 * rules, and the authentication-context requirement as `RoleAssignmentRequestAcrsValidationFailed`
 * with a URL-encoded claims request in the message (not a WWW-Authenticate challenge).
 */
export type PimFailure =
  | { kind: "alreadyActive" }
  | { kind: "needsClaims"; claims?: string; reason: "authenticationContext" | "claimsChallenge" }
  | { kind: "needsMfa"; otherRules: string[] }
  | { kind: "policy"; rules: string[]; message: string }
  | { kind: "tooSoon"; message: string }
  | { kind: "other" };

export function classifyPimError(e: unknown): PimFailure {
  // callAzure wraps SDK errors in a JitError; the Azure details are in its cause.
  const info = azureCallErrorInfo(e);
  if (!info) return { kind: "other" };
  const code = (info.code ?? "").toLowerCase();
  if (code === "roleassignmentexists") return { kind: "alreadyActive" };
  if (code === "roleassignmentrequestacrsvalidationfailed") return { kind: "needsClaims", claims: claimsFromPimMessage(info.message), reason: "authenticationContext" };
  if (info.statusCode === 401 && claimsFromChallenge(info.wwwAuthenticate)) return { kind: "needsClaims", claims: claimsFromChallenge(info.wwwAuthenticate), reason: "claimsChallenge" };
  if (code === "activedurationtooshort" || /within five minutes|within 5 minutes/i.test(info.message)) return { kind: "tooSoon", message: info.message };
  if (code === "roleassignmentrequestpolicyvalidationfailed") {
    // Two formats are seen: `... failed: ["ExpirationRule"]` and `JustificationRule - Justification is required`.
    const listed = failedPolicyRules(info.message);
    const rules = listed.length > 0 ? listed : [...new Set([...info.message.matchAll(/\b([A-Z][A-Za-z]*Rule)\b/g)].map((m) => m[1] ?? ""))].filter(Boolean);
    if (rules.some((r) => r.toLowerCase() === "mfarule")) return { kind: "needsMfa", otherRules: rules.filter((r) => r.toLowerCase() !== "mfarule") };
    return { kind: "policy", rules, message: info.message };
  }
  return { kind: "other" };
}

const RULE_TEXT: Record<string, string> = {
  expirationrule: "the requested duration is longer than the policy allows (or a duration is missing)",
  justificationrule: "a justification is required",
  ticketingrule: "a ticket number is required",
  mfarule: "multi-factor authentication is required",
  eligibilityrule: "you are not (or no longer) eligible for this role",
  approvalrule: "the request needs approval",
};

/** The failed rules in plain words: "a justification is required; a ticket number is required". */
export function describePolicyRules(rules: readonly string[]): string {
  if (rules.length === 0) return "the request does not satisfy the role's PIM policy";
  return rules.map((r) => RULE_TEXT[r.toLowerCase()] ?? `policy rule ${r} failed`).join("; ");
}
