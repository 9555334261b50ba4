/**
 * The normalised view of what the inventory reads from Azure. Resource Graph rows (raw ARM JSON with
 * `properties`) and SDK models (flattened) are both converted to these records first, so joins and
 * readiness never care where the data came from. Times are ms since the epoch.
 */

export interface TenantInfo {
  tenantId: string;
  displayName?: string;
  defaultDomain?: string;
}

export interface SubscriptionInfo {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  state?: string;
}

/** A PIM eligibility of the caller (roleEligibilityScheduleInstance). */
export interface Eligibility {
  id: string;
  tenantId: string;
  /**
   * ARM scope with a leading slash: `/subscriptions/…[/resourceGroups/…[/providers/…]]`, a
   * management group (`/providers/Microsoft.Management/managementGroups/…`) or `/`. On a VM entry, the
   * scope the role is activated at for that VM (see `eligibilityForVm`).
   */
  scope: string;
  /** Where the eligibility itself is, when the VM entry activates it at a narrower `scope`. */
  grantedScope?: string;
  scopeDisplayName?: string;
  roleDefinitionId: string;
  roleName?: string;
  /** Full id of the eligibility schedule; activation requests link it verbatim (§2.5). */
  roleEligibilityScheduleId?: string;
  principalId?: string;
  endsAt?: number;
}

/** An active role assignment of the caller (roleAssignmentScheduleInstance). */
export interface ActiveAssignment {
  id?: string;
  tenantId: string;
  scope: string;
  roleDefinitionId: string;
  roleName?: string;
  /** "Activated" (PIM) or "Assigned" (standing). */
  assignmentType?: string;
  startsAt?: number;
  /** Undefined for permanent assignments. */
  endsAt?: number;
  linkedRoleEligibilityScheduleId?: string;
  roleAssignmentScheduleId?: string;
}

/** What a PIM policy (EndUser Assignment rules) asks of a self-activation. */
export interface PimRequirements {
  approval: boolean;
  approvalForExtension: boolean;
  mfa: boolean;
  justification: boolean;
  ticket: boolean;
  /** Conditional Access authentication context the token must carry (acrs), e.g. "c1". */
  authenticationContext?: string;
  /** Longest activation the policy allows. */
  maxDurationMs?: number;
}

export interface PimPolicy {
  scope: string;
  roleDefinitionId: string;
  policyId?: string;
  requirements: PimRequirements;
}

export type PowerState = "running" | "stopped" | "deallocated" | "starting" | "stopping" | "deallocating" | "unknown";

export interface VmRecord {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tenantId?: string;
  tags: Record<string, string>;
  osType?: "Linux" | "Windows";
  adminUsername?: string;
  computerName?: string;
  vmSize?: string;
  /** Primary NIC first. */
  nicIds: string[];
  powerState: PowerState;
}

export interface NicRecord {
  id: string;
  /** Subnet of the primary IP configuration first. */
  subnetIds: string[];
  privateIp?: string;
}

export interface SubnetRecord {
  id: string;
  name: string;
  addressPrefixes: string[];
}

export interface VnetRecord {
  id: string;
  name: string;
  addressPrefixes: string[];
  subnets: SubnetRecord[];
  /** Remote VNet ids of peerings that are `Connected` (or whose state is not reported). */
  peeredVnetIds: string[];
}

export interface BastionRecord {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location?: string;
  sku: string;
  enableTunneling: boolean;
  /** Host (and port, for emulators) of the Bastion data plane (§1.10). */
  dnsName?: string;
  /** `AzureBastionSubnet` of the Bastion (not for Developer SKU). */
  subnetId?: string;
  vnetId?: string;
}

export interface JitPortRule {
  number: number;
  protocol?: string;
  allowedSourceAddressPrefixes: string[];
  maxDurationMs?: number;
}

export interface JitRequestRecord {
  vmId: string;
  port: number;
  status: string;
  statusReason?: string;
  endsAt: number;
  startedAt?: number;
  sourcePrefixes: string[];
  requestor?: string;
  justification?: string;
}

export interface JitPolicyRecord {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  vms: { id: string; ports: JitPortRule[] }[];
  requests: JitRequestRecord[];
}

/** One failure that did not stop the inventory (a subscription returning 403, a tenant without access...). */
export interface PartialError {
  /** What could not be read, e.g. "JIT policies of subscription Contoso Dev". */
  what: string;
  tenantId?: string;
  subscriptionId?: string;
  code: string;
  message: string;
}
