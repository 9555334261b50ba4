/**
 * The simulated Azure world at run time: what the scenario declared, resolved to ids, plus the
 * mutable parts (power state, secrets' values, Bastion dnsNames, vault URLs). PIM and JIT state
 * live in their own stores (arm/pim, arm/jit); RBAC reads both.
 */
import type { KeyFormat } from "../contracts";
import type { ConditionalAccessSpec } from "../scenario/schema";

export interface TenantModel {
  id: string;
  name: string;
  domain: string;
  trustedLocations: string[];
  conditionalAccess: ConditionalAccessSpec[];
}

export interface ServicePrincipalModel {
  tenantId: string;
  displayName: string;
  appId: string;
  objectId: string;
  secret: string;
  /** Named location it signs in from (for trustedLocation policies). */
  location: string;
}

export interface UserModel {
  upn: string;
  displayName: string;
  homeTenantId: string;
  /** tenant id → object id (home tenant and every tenant where the user is a guest). */
  objectIds: Map<string, string>;
  mfaRegistered: boolean;
  deviceCompliant: boolean;
  location: string;
}

export interface SubscriptionModel {
  id: string;
  name: string;
  tenantId: string;
}

export interface RolePermissions {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface RoleDefinitionModel {
  guid: string;
  name: string;
  type: "BuiltInRole" | "CustomRole";
  description: string;
  permissions: RolePermissions;
}

/** A role assignment: standing (from the scenario) or created by a PIM activation. */
export interface RoleAssignmentModel {
  name: string;
  scope: string;
  roleGuid: string;
  principalId: string;
  principalType: "User" | "ServicePrincipal";
  tenantId: string;
}

export interface ResourceBase {
  id: string;
  name: string;
  /** ARM type as ARM spells it, e.g. "Microsoft.Compute/virtualMachines". */
  type: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
}

export type PowerState = "running" | "starting" | "stopping" | "stopped" | "deallocating" | "deallocated";

export interface VmCredentialModel {
  type: "sshKey" | "password";
  keyFormat: KeyFormat;
  vaultName: string;
  secretName: string;
  tagged: boolean;
}

export interface VirtualMachineModel extends ResourceBase {
  kind: "vm";
  vmGuid: string;
  size: string;
  osType: "Linux" | "Windows";
  adminUsername: string;
  nicId: string;
  power: PowerState;
  credential?: VmCredentialModel;
  openPorts: { port: number; sourcePrefix: string }[];
  createdAt: number;
  /** The AADSSHLoginForLinux extension is installed (Entra ID login). */
  entraLogin: boolean;
  /** Object id of the system-assigned managed identity, when the VM has one. */
  systemIdentityPrincipalId?: string;
}

export interface NetworkInterfaceModel extends ResourceBase {
  kind: "nic";
  vmId: string;
  subnetId: string;
  privateIp: string;
}

export interface SubnetModel {
  name: string;
  id: string;
  addressPrefix: string;
}

export interface VirtualNetworkModel extends ResourceBase {
  kind: "vnet";
  addressPrefixes: string[];
  subnets: SubnetModel[];
  peeringVnetIds: string[];
}

export interface BastionModel extends ResourceBase {
  kind: "bastion";
  sku: "Basic" | "Standard" | "Premium" | "Developer";
  enableTunneling: boolean;
  enableIpConnect: boolean;
  scaleUnits: number;
  vnetId: string;
  /** The AzureBastionSubnet (undefined for Developer, which has no subnet). */
  subnet?: SubnetModel;
  /** Set when the data plane is listening: `localhost:<port>` (§1.10). */
  dnsName: string;
}

export interface SecretVersionModel {
  version: string;
  value: string;
  contentType?: string;
  tags: Record<string, string>;
  created: number;
  /** `attributes.enabled`; a disabled secret is listed but cannot be read. */
  enabled: boolean;
}

export interface VaultModel extends ResourceBase {
  kind: "vault";
  tenantId: string;
  vaultGuid: string;
  /** `https://localhost:<port>` once the vault origin listens. */
  uri: string;
  /** lower-case name → versions (newest last). */
  secrets: Map<string, { name: string; versions: SecretVersionModel[] }>;
}

export type ResourceModel = VirtualMachineModel | NetworkInterfaceModel | VirtualNetworkModel | BastionModel | VaultModel;
