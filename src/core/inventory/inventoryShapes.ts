import type { RememberedCredential } from "./credentialSource";
import type { PimPolicyCache } from "./pimPolicyCache";
import type { Readiness, ReadinessGrant } from "./readiness";
import type { RoleMatch } from "./roleSelection";
import type { ActiveAssignment, BastionRecord, Eligibility, JitPolicyRecord, PartialError, PimRequirements, SubscriptionInfo, TenantInfo, VmRecord } from "./types";

/** One VM the user can (or could, after elevation) reach, with everything the UI and the access flow need. */
export interface VmEntry extends VmRecord {
  tenantId: string;
  tenantName?: string;
  subscriptionName?: string;
  privateIp?: string;
  subnetId?: string;
  vnetId?: string;
  eligibility?: Eligibility;
  activeAssignment?: ActiveAssignment;
  pimRequirements?: PimRequirements;
  jitPolicy?: Pick<JitPolicyRecord, "id" | "name" | "subscriptionId" | "resourceGroup" | "location">;
  /** The VM login role (Microsoft Entra ID login) covering the VM, eligible and/or active; see entraSsh/. */
  entraLoginRole?: RoleMatch;
  /** The Bastion chosen for the tunnel (first candidate), usable or not; see readiness.bastion. */
  bastion?: BastionRecord;
  readiness: Readiness;
}

export interface Inventory {
  tenants: TenantInfo[];
  subscriptions: SubscriptionInfo[];
  vms: VmEntry[];
  /** Reads that failed without failing the whole inventory (a subscription answering 403...). */
  partialErrors: PartialError[];
  /** Where VM and network data came from. */
  source: "resourceGraph" | "sdk" | "mixed";
  /** PIM policies still unread because of `maxPolicyReads` (their VMs say so in their reasons). */
  unreadPolicies: number;
  /** Azure's time when the inventory was computed. */
  loadedAt: number;
}

export interface InventoryOptions {
  /** `false` skips Resource Graph and lists per subscription with the SDKs (a setting). Default true. */
  useResourceGraph?: boolean;
  /** Parallel per-subscription / per-policy reads. Default 32. */
  concurrency?: number;
  /** What the access store knows about a VM (pending approval, granted, expired). */
  grantFor?: (vmId: string) => ReadinessGrant | undefined;
  /** The user's remembered credential choice for VMs without tags. */
  rememberedCredential?: (vmId: string) => RememberedCredential | undefined;
  /** Also list VMs no eligibility or activation covers (status "noRole"). Default false. */
  includeUncoveredVms?: boolean;
  /** PIM policies kept across loads (see PimPolicyCache). */
  policyCache?: PimPolicyCache;
  /**
   * At most this many PIM policies are read per load (default 100); the rest show as "policy not
   * read yet" and fill in on later loads through the cache. The access flow always reads the policy.
   */
  maxPolicyReads?: number;
}
