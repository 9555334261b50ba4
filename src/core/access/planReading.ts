import { isCancellation, throwIfAborted } from "../cancellation";
import { errorMessage, JitError } from "../errors";
import { requireJitSourcePrefix, sshRule } from "../inventory/jitSelection";
import type { VmEntry } from "../inventory/loadInventory";
import { listActiveAssignmentsAt, PimPolicyReader } from "../inventory/pimReads";
import { getJitPolicy } from "../inventory/jitReads";
import { roleKey } from "../inventory/roleSelection";
import type { ActiveAssignment, PimRequirements } from "../inventory/types";
import type { AccessInputProvider, AccessInputValues } from "./accessInput";
import type { MachineKernel, Plan } from "./machineKernel";
import { learnedRequirements } from "./learnedPolicy";
import { defaultRequestDuration, validateAccessInput } from "./policyMath";

/** The first step of every journey: fresh reads of the policies and the role, and the user's input. */

export async function ask(k: MachineKernel, plan: Plan, purpose: "request" | "extend", needs: { justification: boolean; ticket: boolean }, approvalRequired: boolean, maxDurationMs: number, signal?: AbortSignal, input: AccessInputProvider = k.options.input): Promise<AccessInputValues> {
  throwIfAborted(signal);
  const values = await input(
    { purpose, vmId: plan.vm.id, vmName: plan.vm.name, roleName: plan.roleName, role: { scope: plan.scope, roleDefinitionId: plan.roleDefinitionId }, needs, approvalRequired, maxDurationMs, defaultDurationMs: defaultRequestDuration(maxDurationMs) },
    signal,
  );
  throwIfAborted(signal);
  return validateAccessInput(values, needs, plan.vm.name);
}

/** Fresh reads before acting: the PIM policy, whether the role is active now, the JIT rule. */
export async function readPlan(k: MachineKernel, vm: VmEntry, signal?: AbortSignal): Promise<Plan> {
  const eligibility = vm.eligibility;
  const roleSource = vm.activeAssignment ?? eligibility;
  if (!roleSource) throw new JitError("NoEligibleRole", `You have no eligible role on ${vm.name}.`);
  const [requirements, active, policy] = await Promise.all([
    eligibility ? readRequirements(k, vm, eligibility.scope, eligibility.roleDefinitionId, signal) : Promise.resolve(undefined),
    freshActive(k, vm, roleSource.scope, roleSource.roleDefinitionId, signal),
    vm.jitPolicy ? getJitPolicy(k.ctx, vm.tenantId, vm.jitPolicy, signal) : Promise.resolve(undefined),
  ]);
  const rules = policy?.vms.find((v) => v.id.toLowerCase() === vm.id.toLowerCase())?.ports;
  if (!policy || !vm.jitPolicy || !rules) throw new JitError("NoJitPolicy", `No Defender for Cloud JIT policy covers ${vm.name} any more. Ask a security administrator to enable JIT VM access for it.`);
  const rule = sshRule(rules);
  if (!rule) throw new JitError("JitPortNotAllowed", `The JIT policy of ${vm.name} does not include port 22. Ask a security administrator to add it.`);
  // The rule just read, not the inventory's copy: an administrator may have changed it since.
  const sourcePrefix = requireJitSourcePrefix(vm.name, rule, vm.readiness.bastion.subnetPrefix);
  const scope = active?.scope ?? eligibility?.scope ?? roleSource.scope;
  return {
    vm,
    scope,
    roleDefinitionId: active?.roleDefinitionId ?? roleSource.roleDefinitionId,
    roleName: roleSource.roleName ?? active?.roleName,
    eligibilityScheduleId: eligibility?.roleEligibilityScheduleId,
    requirements,
    active,
    jitPolicy: { id: policy.id, name: policy.name, subscriptionId: policy.subscriptionId, resourceGroup: policy.resourceGroup, location: policy.location },
    jitMaxMs: rule.maxDurationMs,
    sourcePrefix,
  };
}

/**
 * The PIM policy, or undefined when it cannot be read (some tenants restrict policy reads): the
 * request then goes ahead and PIM itself says what is missing.
 */
export async function readRequirements(k: MachineKernel, vm: VmEntry, scope: string, roleDefinitionId: string, signal?: AbortSignal): Promise<PimRequirements | undefined> {
  try {
    return (await new PimPolicyReader(k.ctx, vm.tenantId).get(scope, roleDefinitionId, signal))?.requirements;
  } catch (e) {
    if (isCancellation(e)) throw e;
    const learnt = learnedRequirements(k, vm.tenantId, scope, roleDefinitionId);
    k.ctx.logger.warn(`Could not read the PIM policy for ${vm.name} (${errorMessage(e)}); ${learnt ? "using the rules learnt from PIM's earlier refusals" : "requesting without knowing its rules (PIM's refusal will name them)"}.`);
    return learnt;
  }
}

export async function freshActive(k: MachineKernel, vm: VmEntry, scope: string, roleDefinitionId: string, signal?: AbortSignal): Promise<ActiveAssignment | undefined> {
  const now = k.ctx.clock.now();
  const scopes = [...new Set([vm.activeAssignment?.scope, scope].filter((s): s is string => s !== undefined))];
  for (const s of scopes) {
    const found = (await listActiveAssignmentsAt(k.ctx, vm.tenantId, s, signal)).filter((a) => roleKey(a.roleDefinitionId) === roleKey(roleDefinitionId) && (a.endsAt === undefined || a.endsAt > now));
    if (found[0]) return found.sort((a, b) => (b.endsAt ?? Number.MAX_SAFE_INTEGER) - (a.endsAt ?? Number.MAX_SAFE_INTEGER))[0];
  }
  return undefined;
}
