import { armIdKey, scopeContains } from "../azure/armIds";
import type { Eligibility, VmRecord } from "./types";

/**
 * The scope at which to activate an eligibility for one VM. An eligibility granted above the VM's
 * resource group (a management group, the tenant root, a subscription) covers every VM below it, and
 * PIM lets the user activate it at a reduced scope (`pim-resource-roles-activate-your-roles.md`,
 * "specify a reduced scope"); the request then links the wider eligibility schedule. The product
 * activates at the VM's resource group: the narrowest scope that still covers both the VM and its
 * JIT policy (a JIT policy lives in, and covers the VMs of, its own resource group), so an
 * activation for one VM does not grant the role on every VM below a management group.
 *
 * Policy reading: PIM policies are set per role and per scope and are not inherited by lower scopes
 * (`pim-resource-roles-configure-role-settings.md`), so the policy that governs an activation at the
 * resource group is the resource group's own policy for that role, not the management group's. The
 * returned eligibility therefore carries the resource group as `scope`: the inventory reads that
 * scope's policy for readiness, and the access flow (which reads the policy at `eligibility.scope`
 * and activates there) asks for and satisfies exactly the rules PIM will enforce. `grantedScope`
 * keeps where the eligibility itself is.
 */
export function eligibilityForVm(eligibility: Eligibility, vm: Pick<VmRecord, "subscriptionId" | "resourceGroup">): Eligibility {
  const resourceGroup = `/subscriptions/${vm.subscriptionId}/resourceGroups/${vm.resourceGroup}`;
  const granted = eligibility.scope;
  if (armIdKey(granted) === armIdKey(resourceGroup) || !coversFromAbove(granted, resourceGroup)) return eligibility;
  return { ...eligibility, scope: resourceGroup, grantedScope: eligibility.grantedScope ?? granted };
}

/** The eligibility's scope is above the resource group: tenant root, a management group (matched by the hierarchy already), or the subscription. */
function coversFromAbove(granted: string, resourceGroup: string): boolean {
  const key = armIdKey(granted);
  if (key === "/" || key.startsWith("/providers/microsoft.management/managementgroups/")) return true;
  return scopeContains(granted, resourceGroup);
}
