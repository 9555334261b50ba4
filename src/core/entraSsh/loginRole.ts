import type { AccessInputValues } from "../access/accessInput";
import { awaitDecision, awaitRoleEffective, type FlowTiming } from "../access/flowSteps";
import { submitRoleRequest, statusCategory } from "../access/pim";
import { classifyPimError, describePolicyRules } from "../access/pimErrors";
import { clampDuration, MIN_DURATION_MS } from "../access/policyMath";
import type { AzureContext } from "../azure/azureContext";
import { JitError } from "../errors";
import { PimPolicyReader } from "../inventory/pimReads";
import type { RoleMatch } from "../inventory/roleSelection";
import type { PimRequirements } from "../inventory/types";
import { describeUntrusted } from "../ssh/untrustedText";

/**
 * The VM login role (Virtual Machine User Login or Administrator Login) must be active when ssh
 * logs in: the VM asks Azure RBAC at every login, not when the certificate is issued
 * (learn.microsoft.com howto-vm-sign-in-azure-ad-linux). The access flow activates the JIT role
 * and opens JIT; this activates the login role next to it, for no longer than `grantEndsAt` (the
 * grant's end, or the duration asked for when it runs alongside the access request), with the
 * justification the user already gave (asking only if the login role's policy wants more), then
 * waits, with backoff and a bound, until PIM shows it active (role propagation).
 */
export interface LoginRoleDeps {
  ctx: AzureContext;
  timing: FlowTiming;
  /** What the user entered for this VM's access request, or a new prompt when the login role needs more. */
  accessValues: (needs: PimRequirements, maxDurationMs: number, signal?: AbortSignal) => Promise<AccessInputValues>;
  progress: (message: string) => void;
}

export interface LoginRoleTarget {
  vmName: string;
  tenantId: string;
  role?: RoleMatch;
  /** When the access grant ends (Azure's clock): the login role need not last longer. */
  grantEndsAt: number;
}

/**
 * Whether the login role may be activated while the access request runs, instead of after it: when
 * a login role is eligible and the access role's policy is known and needs no approval. PIM then
 * provisions the two roles in parallel (each takes tens of seconds on Azure). The service starts it
 * only once PIM has accepted the access role (service/entraConnect.ts). When approval may be needed,
 * the login role waits for the grant: no second role is raised while an approver may still refuse.
 */
export function mayActivateLoginRoleAlongside(vm: { pimRequirements?: Pick<PimRequirements, "approval">; entraLoginRole?: RoleMatch }): boolean {
  return vm.pimRequirements !== undefined && !vm.pimRequirements.approval && vm.entraLoginRole?.eligibility !== undefined;
}

/** Resolves when the login role is active (now or after activation); the end of the role, if it has one. */
export async function ensureLoginRoleActive(deps: LoginRoleDeps, target: LoginRoleTarget, signal?: AbortSignal): Promise<number | undefined> {
  const { ctx } = deps;
  const vm = describeUntrusted(target.vmName);
  const now = ctx.clock.now();
  const active = target.role?.active;
  if (active && (active.endsAt === undefined || active.endsAt > Math.min(target.grantEndsAt, now + 5 * 60_000))) return active.endsAt;
  const eligibility = target.role?.eligibility;
  if (!eligibility || !eligibility.principalId) {
    throw new JitError("EntraLoginRoleNotActive", `You have no Virtual Machine User Login or Virtual Machine Administrator Login role on ${vm}, so the VM would refuse your Entra ID login. Ask an administrator for one (eligible in PIM is enough), or connect with a Key Vault credential.`);
  }
  const roleName = eligibility.roleName ?? "Virtual Machine User Login";
  const policy = await new PimPolicyReader(ctx, target.tenantId).get(eligibility.scope, eligibility.roleDefinitionId, signal);
  const requirements = policy?.requirements ?? { approval: false, approvalForExtension: false, mfa: false, justification: false, ticket: false };
  const maxMs = Math.min(requirements.maxDurationMs ?? Number.MAX_SAFE_INTEGER, Math.max(MIN_DURATION_MS, target.grantEndsAt - now));
  const values = await deps.accessValues(requirements, maxMs, signal);
  const durationMs = clampDuration(Math.max(MIN_DURATION_MS, target.grantEndsAt - now), maxMs).durationMs;
  deps.progress(`Activating "${roleName}" on ${target.vmName}…`);
  const roleTarget = { tenantId: target.tenantId, scope: eligibility.scope, roleDefinitionId: eligibility.roleDefinitionId };
  try {
    const status = await submitRoleRequest(
      ctx,
      {
        ...roleTarget,
        principalId: eligibility.principalId,
        requestType: "SelfActivate",
        eligibilityScheduleId: eligibility.roleEligibilityScheduleId,
        durationMs,
        justification: values.justification ?? `Microsoft Entra ID login to ${target.vmName}`,
        ticket: values.ticket,
      },
      signal,
    );
    if (statusCategory(status.status) === "pendingApproval") {
      deps.progress(`Waiting for an approver of "${roleName}" on ${target.vmName}…`);
      const decision = await awaitDecision(ctx, { tenantId: target.tenantId, scope: eligibility.scope, requestName: status.requestName }, deps.timing, signal);
      if (decision !== "active" && decision !== "accepted") throw new JitError(decision === "denied" ? "ApprovalDenied" : "ActivationFailed", `PIM did not activate "${roleName}" on ${vm} (${decision}). Request access again.`);
    }
  } catch (e) {
    const failure = classifyPimError(e);
    if (failure.kind === "policy") throw new JitError("PolicyViolation", `PIM refused to activate "${roleName}" on ${vm}: ${describePolicyRules(failure.rules)}.`, { cause: e });
    if (failure.kind !== "alreadyActive") throw e;
  }
  deps.progress(`Waiting for "${roleName}" on ${target.vmName} to take effect…`);
  const effective = await awaitRoleEffective(ctx, roleTarget, deps.timing, signal);
  if (!effective) {
    throw new JitError("EntraLoginRoleNotActive", `PIM accepted "${roleName}" on ${vm}, but it did not take effect in time, so the VM would still refuse the login. Try again in a minute.`);
  }
  return effective.endsAt;
}
