import { SECRET_TAG, USERNAME_TAG } from "../credential/credentialSource";
import { SSH_PORT } from "../inventory/jitSelection";

/**
 * What an administrator puts in place so that Connect works, as the product reads it. The setup
 * guide (docs/azure-setup.md) names the same tags, port, roles and actions; a test compares the two.
 */

export { SECRET_TAG, SSH_PORT, USERNAME_TAG };

/** Built-in role ids (the same in every tenant). */
export const BUILT_IN_ROLES = {
  /** Reads secret contents: the VM's SSH key or password. */
  keyVaultSecretsUser: { name: "Key Vault Secrets User", id: "4633458b-17de-408a-b874-0445c86b69e6" },
  /** Reads the VM, its NIC, the virtual networks and the Bastion (standing, or inside the PIM role). */
  reader: { name: "Reader", id: "acdd72a7-3385-48ef-bd42-f606fba81ae7" },
} as const;

/** The action only the activated role can give: asking Defender for Cloud to open port 22. */
export const JIT_INITIATE_ACTION = "Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action";

/**
 * What Connect reads or does with the user's rights: Defender for Cloud's list for requesting JIT
 * access, plus the network reads that find the Bastion (the guide's custom role lists exactly these).
 */
export const CONNECT_ACTIONS = [
  JIT_INITIATE_ACTION,
  "Microsoft.Security/locations/jitNetworkAccessPolicies/read",
  "Microsoft.Security/locations/jitNetworkAccessPolicies/*/read",
  "Microsoft.Compute/virtualMachines/read",
  "Microsoft.Network/networkInterfaces/read",
  "Microsoft.Network/networkInterfaces/*/read",
  "Microsoft.Network/publicIPAddresses/read",
  "Microsoft.Network/virtualNetworks/read",
  "Microsoft.Network/bastionHosts/read",
] as const;

/** The data action behind reading a secret's value (Key Vault Secrets User has it). */
export const GET_SECRET_DATA_ACTION = "Microsoft.KeyVault/vaults/secrets/getSecret/action";

/** Bastion SKUs with native-client support (`enableTunneling`). */
export const NATIVE_CLIENT_SKUS = ["Standard", "Premium"] as const;

/** The official page behind each prerequisite (checked by the setup-guide test). */
export const SETUP_DOCS = {
  pimEligibility: "https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-resource-roles-assign-roles",
  pimSettings: "https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-resource-roles-configure-role-settings",
  jit: "https://learn.microsoft.com/azure/defender-for-cloud/just-in-time-access-usage",
  bastionNativeClient: "https://learn.microsoft.com/azure/bastion/native-client",
  bastionSkus: "https://learn.microsoft.com/azure/bastion/bastion-sku-comparison",
  keyVaultRbac: "https://learn.microsoft.com/azure/key-vault/general/rbac-guide",
  tags: "https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources-cli",
  authenticationContext: "https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps#authentication-context",
} as const;
