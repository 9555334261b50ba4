import type { RoleDefinitionModel } from "./model";

/**
 * Built-in roles the simulator knows, with their real GUIDs and (abridged) permissions. Custom
 * roles come from the scenario.
 */
export const BUILT_IN_ROLES: RoleDefinitionModel[] = [
  {
    guid: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    name: "Owner",
    type: "BuiltInRole",
    description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    permissions: { actions: ["*"], notActions: [], dataActions: [], notDataActions: [] },
  },
  {
    guid: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    name: "Contributor",
    type: "BuiltInRole",
    description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.",
    permissions: {
      actions: ["*"],
      notActions: ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action"],
      dataActions: [],
      notDataActions: [],
    },
  },
  {
    guid: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    name: "Reader",
    type: "BuiltInRole",
    description: "View all resources, but does not allow you to make any changes.",
    permissions: { actions: ["*/read"], notActions: [], dataActions: [], notDataActions: [] },
  },
  {
    guid: "4633458b-17de-408a-b874-0445c86b69e6",
    name: "Key Vault Secrets User",
    type: "BuiltInRole",
    description: "Read secret contents. Only works for key vaults that use the 'Azure role-based access control' permission model.",
    permissions: {
      actions: [],
      notActions: [],
      dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
      notDataActions: [],
    },
  },
  {
    guid: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    name: "Key Vault Secrets Officer",
    type: "BuiltInRole",
    description: "Perform any action on the secrets of a key vault, except manage permissions.",
    permissions: { actions: ["Microsoft.KeyVault/vaults/*/read"], notActions: [], dataActions: ["Microsoft.KeyVault/vaults/secrets/*"], notDataActions: [] },
  },
  {
    guid: "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
    name: "Virtual Machine Contributor",
    type: "BuiltInRole",
    description: "Create and manage virtual machines, but not access to them.",
    permissions: { actions: ["Microsoft.Compute/virtualMachines/*", "Microsoft.Network/networkInterfaces/*", "Microsoft.Network/virtualNetworks/read", "Microsoft.Resources/subscriptions/resourceGroups/read"], notActions: [], dataActions: [], notDataActions: [] },
  },
  // The two Entra ID login roles (azure-docs articles/role-based-access-control/built-in-roles/compute.md):
  // Owner or Contributor alone do not let anyone log in; these data actions do.
  {
    guid: "fb879df8-f326-4884-b1cf-06f3ad86be52",
    name: "Virtual Machine User Login",
    type: "BuiltInRole",
    description: "View Virtual Machines in the portal and login as a regular user.",
    permissions: {
      actions: ["Microsoft.Network/publicIPAddresses/read", "Microsoft.Network/virtualNetworks/read", "Microsoft.Network/loadBalancers/read", "Microsoft.Network/networkInterfaces/read", "Microsoft.Compute/virtualMachines/*/read", "Microsoft.HybridCompute/machines/*/read", "Microsoft.HybridConnectivity/endpoints/listCredentials/action"],
      notActions: [],
      dataActions: ["Microsoft.Compute/virtualMachines/login/action", "Microsoft.HybridCompute/machines/login/action"],
      notDataActions: [],
    },
  },
  {
    guid: "1c0163c0-47e6-4577-8991-ea5c82e286e4",
    name: "Virtual Machine Administrator Login",
    type: "BuiltInRole",
    description: "View Virtual Machines in the portal and login as administrator",
    permissions: {
      actions: ["Microsoft.Network/publicIPAddresses/read", "Microsoft.Network/virtualNetworks/read", "Microsoft.Network/loadBalancers/read", "Microsoft.Network/networkInterfaces/read", "Microsoft.Compute/virtualMachines/*/read", "Microsoft.HybridCompute/machines/*/read", "Microsoft.HybridConnectivity/endpoints/listCredentials/action"],
      notActions: [],
      dataActions: ["Microsoft.Compute/virtualMachines/login/action", "Microsoft.Compute/virtualMachines/loginAsAdmin/action", "Microsoft.HybridCompute/machines/login/action", "Microsoft.HybridCompute/machines/loginAsAdmin/action"],
      notDataActions: [],
    },
  },
];
