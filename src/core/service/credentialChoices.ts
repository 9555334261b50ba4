import type { AzureContext } from "../azure/azureContext";
import type { RememberedCredential } from "../credential/credentialSource";
import { listSecretsInVault, listVaultsForVm, type SecretListing, type VaultListing } from "../credential/vaultListing";
import type { VmEntry } from "../inventory/loadInventory";
import type { ConnectionSetup } from "./connectionSetup";

export interface CredentialChoicesDeps {
  /** The signed-in context (throws NotSignedIn otherwise). */
  readonly ctx: () => AzureContext;
  /** A VM of the inventory (throws VmNotFound otherwise). */
  readonly vm: (vmId: string) => VmEntry;
  readonly connections: Pick<ConnectionSetup, "rememberCredential" | "loadRememberedChoices">;
  /** The `azureJit.useResourceGraph` setting, read at each listing. */
  readonly useResourceGraph: () => boolean;
  /** The subscriptions of a tenant the inventory knows (searched for vaults after the VM's own). */
  readonly subscriptionsOfTenant: (tenantId: string) => string[];
}

/**
 * Choose Credential, for VMs without the secret tag: which Key Vault secret (and user) a VM uses,
 * remembered per VM, and the two listings that let the user pick one instead of typing a URI.
 */
export class CredentialChoices {
  constructor(private readonly deps: CredentialChoicesDeps) {}

  /** Loads the remembered choices so that the next inventory shows them (call before a refresh). */
  loadRemembered(vmIds: readonly string[]): Promise<void> {
    return this.deps.connections.loadRememberedChoices(vmIds);
  }

  /** Remembers which Key Vault secret (and user) to use for a VM. */
  remember(vmId: string, choice: RememberedCredential): Promise<void> {
    return this.deps.connections.rememberCredential(this.deps.vm(vmId), choice);
  }

  /** The Key Vaults the user can see in the VM's tenant: its own vault, resource group and subscription first. */
  listVaults(vmId: string, signal?: AbortSignal): Promise<VaultListing> {
    const vm = this.deps.vm(vmId);
    const search = { ...vm, currentSecretUri: vm.readiness.credential.secretUri, otherSubscriptionIds: this.deps.subscriptionsOfTenant(vm.tenantId) };
    return listVaultsForVm(this.deps.ctx(), search, signal, { useResourceGraph: this.deps.useResourceGraph() });
  }

  /** The enabled secrets of a vault, names and metadata only. */
  listSecrets(vaultUrl: string, signal?: AbortSignal): Promise<SecretListing> {
    return listSecretsInVault(this.deps.ctx(), vaultUrl, signal);
  }
}
