import { parseIsoDuration } from "../azure/isoDuration";
import type { PimRequirements } from "./types";

/**
 * Reads a PIM policy's `effectiveRules` (azure-protocols §2.4) into what a self-activation must
 * provide. Only the EndUser Assignment rules apply to activation; Admin and Eligibility rules are
 * for administrators. Input is `unknown` because rules arrive from the SDK (flattened) or as raw
 * JSON (`properties` kept), and unknown rule types must simply be ignored.
 */
export function parsePimRules(rules: readonly unknown[] | undefined): PimRequirements {
  const req: PimRequirements = { approval: false, approvalForExtension: false, mfa: false, justification: false, ticket: false };
  for (const raw of rules ?? []) {
    const rule = flatten(raw);
    if (!rule || !isEndUserAssignment(rule)) continue;
    switch (rule.ruleType) {
      case "RoleManagementPolicyExpirationRule": {
        const ms = parseIsoDuration(str(rule.maximumDuration));
        if (ms !== undefined) req.maxDurationMs = ms;
        break;
      }
      case "RoleManagementPolicyEnablementRule": {
        const enabled = Array.isArray(rule.enabledRules) ? rule.enabledRules.map((r) => String(r).toLowerCase()) : [];
        if (enabled.includes("multifactorauthentication")) req.mfa = true;
        if (enabled.includes("justification")) req.justification = true;
        if (enabled.includes("ticketing")) req.ticket = true;
        break;
      }
      case "RoleManagementPolicyApprovalRule": {
        const setting = obj(rule.setting);
        if (setting?.isApprovalRequired === true) req.approval = true;
        if (setting?.isApprovalRequiredForExtension === true) req.approvalForExtension = true;
        if (setting?.isRequestorJustificationRequired === true && req.approval) req.justification = true;
        break;
      }
      case "RoleManagementPolicyAuthenticationContextRule": {
        const claimValue = str(rule.claimValue);
        if (rule.isEnabled === true && claimValue) req.authenticationContext = claimValue;
        break;
      }
      default:
        break;
    }
  }
  return req;
}

type Rule = Record<string, unknown> & { ruleType?: unknown; id?: unknown; target?: unknown };

function flatten(raw: unknown): Rule | undefined {
  const o = obj(raw);
  if (!o) return undefined;
  const props = obj(o.properties);
  return (props ? { ...o, ...props } : o) as Rule;
}

/** The rule targets end users activating an assignment (by target, or by the conventional id). */
function isEndUserAssignment(rule: Rule): boolean {
  const target = obj(rule.target);
  if (target && typeof target.caller === "string" && typeof target.level === "string") {
    return target.caller.toLowerCase() === "enduser" && target.level.toLowerCase() === "assignment";
  }
  return typeof rule.id === "string" && /_EndUser_Assignment$/i.test(rule.id);
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v ? v : undefined;
}

/** The ids of the rules a self-activation failed, from a `RoleAssignmentRequestPolicyValidationFailed` message (§2.7). */
export function failedPolicyRules(message: string): string[] {
  const m = /rules failed:\s*(\[[^\]]*\])/i.exec(message);
  if (!m?.[1]) return [];
  try {
    const parsed: unknown = JSON.parse(m[1]);
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [...m[1].matchAll(/"?([A-Za-z]+Rule)"?/g)].map((x) => x[1] ?? "").filter(Boolean);
  }
}
