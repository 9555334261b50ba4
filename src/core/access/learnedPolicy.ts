import { armIdKey } from "../azure/armIds";
import { describeDuration } from "../azure/isoDuration";
import type { PimRequirements } from "../inventory/types";
import type { AccessInputProvider } from "./accessInput";
import type { AccessRequestContext } from "./grantStore";
import type { MachineKernel } from "./machineKernel";
import { defaultRequestDuration, validateAccessInput } from "./policyMath";

/**
 * When the PIM policy cannot be read (a user with an eligibility but no Reader role gets 403 on
 * roleManagementPolicies), its rules are learnt from PIM's refusals: the user is asked for what is
 * missing (justification, ticket, a shorter duration), the request is retried once, and what was
 * learnt is remembered per tenant, scope and role, in memory and in the policy cache the inventory
 * uses, so the next request asks for it up front.
 */

const ASKABLE = new Set(["justificationrule", "ticketingrule", "expirationrule"]);

/** True when every failed rule is one the user can fix by answering (not eligibility, not approval). */
export function fixableByAsking(rules: readonly string[]): boolean {
  return rules.length > 0 && rules.every((r) => ASKABLE.has(r.toLowerCase()));
}

function key(tenantId: string, scope: string, roleDefinitionId: string): string {
  return `${tenantId.toLowerCase()}|${armIdKey(scope)}|${roleDefinitionId.split("/").pop()?.toLowerCase() ?? ""}`;
}

/** What was learnt about a role's policy from refusals, if anything. */
export function learnedRequirements(k: MachineKernel, tenantId: string, scope: string, roleDefinitionId: string): PimRequirements | undefined {
  const learnt = k.learnedPolicies.get(key(tenantId, scope, roleDefinitionId));
  if (learnt) return learnt;
  const cached = k.options.policyCache?.get(tenantId, scope, roleDefinitionId);
  return cached?.hit ? cached.requirements : undefined;
}

/** Records the rules a refusal named (and, for ExpirationRule, that `durationMs` is too long). */
export function learnFromRefusal(k: MachineKernel, req: Pick<AccessRequestContext, "tenantId" | "scope" | "roleDefinitionId" | "durationMs">, rules: readonly string[]): PimRequirements {
  const failed = new Set(rules.map((r) => r.toLowerCase()));
  const before = learnedRequirements(k, req.tenantId, req.scope, req.roleDefinitionId);
  const tooLong = failed.has("expirationrule") ? req.durationMs - 60_000 : undefined;
  const learnt: PimRequirements = {
    approval: before?.approval ?? false,
    approvalForExtension: before?.approvalForExtension ?? false,
    mfa: (before?.mfa ?? false) || failed.has("mfarule"),
    justification: (before?.justification ?? false) || failed.has("justificationrule"),
    ticket: (before?.ticket ?? false) || failed.has("ticketingrule"),
    ...(before?.authenticationContext ? { authenticationContext: before.authenticationContext } : {}),
    ...(tooLong !== undefined || before?.maxDurationMs !== undefined ? { maxDurationMs: Math.min(tooLong ?? Number.MAX_SAFE_INTEGER, before?.maxDurationMs ?? Number.MAX_SAFE_INTEGER) } : {}),
  };
  k.learnedPolicies.set(key(req.tenantId, req.scope, req.roleDefinitionId), learnt);
  k.options.policyCache?.set(req.tenantId, req.scope, req.roleDefinitionId, learnt);
  return learnt;
}

/** Asks the user again, for what PIM said is missing; returns the request to retry with. */
export async function askForMissing(k: MachineKernel, req: AccessRequestContext, learnt: PimRequirements, input: AccessInputProvider, signal?: AbortSignal): Promise<AccessRequestContext> {
  const maxDurationMs = Math.max(60_000, Math.min(req.durationMs, learnt.maxDurationMs ?? req.durationMs));
  const needs = { justification: learnt.justification, ticket: learnt.ticket };
  k.ctx.logger.info(`PIM refused the activation for ${req.vmName}; asking for what its policy requires${learnt.maxDurationMs !== undefined ? ` (at most ${describeDuration(maxDurationMs)})` : ""}.`);
  const values = validateAccessInput(
    await input({ purpose: "request", vmId: req.vmId, vmName: req.vmName, roleName: req.roleName, role: { scope: req.scope, roleDefinitionId: req.roleDefinitionId }, needs, approvalRequired: learnt.approval, maxDurationMs, defaultDurationMs: defaultRequestDuration(maxDurationMs) }, signal),
    needs,
    req.vmName,
  );
  const durationMs = Math.min(Math.floor(values.durationMs / 60_000) * 60_000, maxDurationMs);
  return { ...req, justification: values.justification ?? req.justification, ticket: values.ticket ?? req.ticket, durationMs };
}
