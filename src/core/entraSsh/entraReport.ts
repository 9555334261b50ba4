import type { AzureContext } from "../azure/azureContext";
import { isCancellation } from "../cancellation";
import { errorMessage } from "../errors";
import type { VmEntry } from "../inventory/loadInventory";
import type { PreflightItem } from "../preflight/checkConnectivity";
import { checkEntraVm } from "./vmChecks";

/**
 * The Entra ID login lines of the connectivity report: the VM's extension and managed identity
 * (one ARM GET) and the VM login role (from the inventory), each with its fix.
 */
export async function entraLoginReport(ctx: AzureContext, vm: VmEntry, signal?: AbortSignal): Promise<PreflightItem[]> {
  const items: PreflightItem[] = [];
  try {
    const state = await checkEntraVm(ctx, vm, signal);
    items.push(
      state.ok
        ? { check: "entraExtension", title: "Entra ID login on the VM", status: "ok", detail: "AADSSHLoginForLinux is installed and the VM has a system-assigned managed identity." }
        : { check: "entraExtension", title: "Entra ID login on the VM", status: "fail", detail: state.message, fix: "Ask an administrator to fix the VM, or choose a Key Vault credential for it.", code: state.code },
    );
  } catch (e) {
    if (isCancellation(e)) throw e;
    items.push({ check: "entraExtension", title: "Entra ID login on the VM", status: "warn", detail: `The VM could not be read: ${errorMessage(e)}` });
  }
  const role = vm.entraLoginRole;
  const now = ctx.clock.now();
  const activeUntil = role?.active && (role.active.endsAt === undefined || role.active.endsAt > now) ? role.active.endsAt : undefined;
  const roleName = role?.active?.roleName ?? role?.eligibility?.roleName ?? "Virtual Machine User Login";
  items.push(
    role?.active && (activeUntil !== undefined || role.active.endsAt === undefined)
      ? { check: "entraRole", title: "VM login role", status: "ok", detail: `"${roleName}" is active${activeUntil !== undefined ? ` until ${new Date(activeUntil).toISOString()}` : ""}.` }
      : role?.eligibility
        ? { check: "entraRole", title: "VM login role", status: "ok", detail: `"${roleName}" is eligible; Connect activates it next to your access.` }
        : { check: "entraRole", title: "VM login role", status: "fail", detail: "No Virtual Machine User Login or Administrator Login role covers this VM.", fix: "Ask an administrator for one, or choose a Key Vault credential.", code: "EntraLoginRoleNotActive" },
  );
  return items;
}
