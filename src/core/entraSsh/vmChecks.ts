import type { VirtualMachine } from "@azure/arm-compute";
import { type AzureContext, callAzure } from "../azure/azureContext";
import { JitError } from "../errors";
import { describeUntrusted } from "../ssh/untrustedText";

/**
 * What Entra ID login needs on the VM (learn.microsoft.com howto-vm-sign-in-azure-ad-linux): the
 * `AADSSHLoginForLinux` extension of publisher `Microsoft.Azure.ActiveDirectory`, installed
 * (provisioningState Succeeded), and a system-assigned managed identity, without which the
 * extension cannot fetch the CA keys or ask for the user's role (it fails to install, exit code 22).
 * Read from the VM's ARM GET (`resources`, `identity`), once per connection.
 */
export const AAD_SSH_EXTENSION = { publisher: "Microsoft.Azure.ActiveDirectory", type: "AADSSHLoginForLinux" } as const;

export type EntraVmState = { ok: true } | { ok: false; code: "EntraExtensionMissing" | "EntraNoManagedIdentity"; message: string };

export function entraVmState(vmName: string, model: Pick<VirtualMachine, "resources" | "identity">): EntraVmState {
  const name = describeUntrusted(vmName);
  const extension = (model.resources ?? []).find(
    (r) => r.publisher?.toLowerCase() === AAD_SSH_EXTENSION.publisher.toLowerCase() && r.typePropertiesType?.toLowerCase() === AAD_SSH_EXTENSION.type.toLowerCase(),
  );
  const identityType = model.identity?.type?.toLowerCase() ?? "none";
  const systemAssigned = identityType.includes("systemassigned");
  if (!extension) {
    return { ok: false, code: "EntraExtensionMissing", message: `${name} does not have the AADSSHLoginForLinux extension, so it does not accept Microsoft Entra ID logins. An administrator can add it (az vm extension set --publisher Microsoft.Azure.ActiveDirectory --name AADSSHLoginForLinux), or connect with a Key Vault credential.` };
  }
  if (!systemAssigned) {
    return { ok: false, code: "EntraNoManagedIdentity", message: `${name} has no system-assigned managed identity, which the AADSSHLoginForLinux extension needs. An administrator can turn it on (az vm identity assign) and reinstall the extension, or connect with a Key Vault credential.` };
  }
  const state = extension.provisioningState ?? "Succeeded";
  if (state.toLowerCase() !== "succeeded") {
    return { ok: false, code: "EntraExtensionMissing", message: `The AADSSHLoginForLinux extension of ${name} is in state ${describeUntrusted(state)}, not Succeeded. An administrator should check it in the portal (Extensions + applications), or connect with a Key Vault credential.` };
  }
  return { ok: true };
}

export async function checkEntraVm(ctx: AzureContext, vm: { tenantId: string; subscriptionId: string; resourceGroup: string; name: string }, signal?: AbortSignal): Promise<EntraVmState> {
  const model = await callAzure(ctx, `read ${vm.name}`, () => ctx.clients.compute(vm.tenantId, vm.subscriptionId).virtualMachines.get(vm.resourceGroup, vm.name, { abortSignal: signal }));
  return entraVmState(vm.name, model);
}

export function throwUnlessReady(state: EntraVmState): void {
  if (!state.ok) throw new JitError(state.code, state.message);
}
