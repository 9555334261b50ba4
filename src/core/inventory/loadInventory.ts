import type { CloudEnvironment } from "../cloud";
import { isCancellation, throwIfAborted } from "../cancellation";
import { armIdKey, parseArmId, vnetOfSubnet } from "../azure/armIds";
import { type AzureContext, getCallerIdentity } from "../azure/azureContext";
import { errorMessage, isJitError, JitError } from "../errors";
import { NetworkIndex } from "./bastionReach";
import { mapWithConcurrency } from "./concurrency";
import { credentialFor } from "./credentialSource";
import type { Inventory, InventoryOptions, VmEntry } from "./inventoryShapes";
import { eligibilityForVm } from "./activationScope";
import { JitIndex } from "./jitSelection";
import { listJitPolicies } from "./jitReads";
import { listSubscriptionGroups, managementGroupOf } from "./managementGroups";
import { bastionFromAzure, nicFromAzure, vmFromAzure, vnetFromAzure } from "./normalize";
import { listActiveAssignments, listEligibilities, PimPolicyReader } from "./pimReads";
import { computeReadiness, type ReadinessInput } from "./readiness";
import { ARG_TYPES, NIC_PROPERTY_PATHS, queryResources, resourceGraphUnavailable, VM_PROPERTY_PATHS } from "./resourceGraph";
import { RoleIndex } from "./roleSelection";
import { listSubscriptionResources, type SubscriptionResources } from "./sdkListing";
import { listSubscriptions, listTenants } from "./subscriptions";
import type { ActiveAssignment, BastionRecord, Eligibility, JitPolicyRecord, NicRecord, PartialError, PimRequirements, SubscriptionInfo, TenantInfo, VmRecord, VnetRecord } from "./types";

export type { Inventory, InventoryOptions, VmEntry } from "./inventoryShapes";

interface TenantData {
  tenant: TenantInfo;
  subscriptions: SubscriptionInfo[];
  eligibilities: Eligibility[];
  actives: ActiveAssignment[];
  resources: SubscriptionResources;
  jitPolicies: JitPolicyRecord[];
  /** Subscription id (lower case) → management groups above it, root first. */
  groups: ReadonlyMap<string, readonly string[]>;
  usedSdk: boolean;
  usedArg: boolean;
}

/**
 * Loads the VMs the user is eligible to reach, across tenants and subscriptions: PIM eligibilities
 * and activations per tenant, then, in parallel, Resource Graph (or the SDK fallback) for VMs, NICs,
 * VNets and Bastions in the subscriptions those roles touch and JIT policies per subscription, then
 * the PIM policies per (scope, role) of the VMs whose access can be requested (bounded per load,
 * cached across loads). The number of requests grows with tenants, subscriptions, pages and
 * distinct policies, never with VMs. Failures of one tenant or subscription become `partialErrors`.
 */
export async function loadInventory(ctx: AzureContext, options: InventoryOptions = {}, signal?: AbortSignal): Promise<Inventory> {
  const partialErrors: PartialError[] = [];
  const record = (what: string, e: unknown, ids: { tenantId?: string; subscriptionId?: string } = {}): void => {
    if (isCancellation(e)) throw e;
    const code = isJitError(e) ? e.code : "AzureRequestFailed";
    ctx.logger.warn(`Inventory: could not read ${what}: ${errorMessage(e)}`);
    partialErrors.push({ what, ...ids, code, message: errorMessage(e) });
  };

  const home = await getCallerIdentity(ctx, undefined, signal);
  let tenants: TenantInfo[];
  try {
    tenants = await listTenants(ctx, signal);
  } catch (e) {
    record("the list of your tenants", e);
    tenants = [];
  }
  if (!tenants.some((t) => t.tenantId.toLowerCase() === home.tenantId.toLowerCase())) tenants.unshift({ tenantId: home.tenantId });

  const perTenant = await Promise.all(tenants.map((tenant) => loadTenant(ctx, tenant, options, record, signal)));
  throwIfAborted(signal);
  const data = perTenant.filter((d): d is TenantData => d !== undefined);

  // PIM policies only matter for VMs whose access can be requested (a Windows VM, or one without a
  // Bastion route, needs no policy details), and each load reads a bounded number of them.
  const now = ctx.clock.now();
  let budget = options.maxPolicyReads ?? 100;
  let unreadPolicies = 0;
  const joined: VmEntry[][] = [];
  for (const d of data) {
    const prepared = joinTenant(d, options, now, ctx.cloud);
    const result = await readPolicies(ctx, d.tenant.tenantId, policyPairsNeeded(prepared), budget, options, record, signal);
    budget -= result.reads;
    unreadPolicies += result.unread;
    joined.push(withPolicies(prepared, result.policies));
  }
  if (unreadPolicies > 0) ctx.logger.info(`Inventory: ${unreadPolicies} PIM policies not read yet (limit ${options.maxPolicyReads ?? 100} per refresh); they are read on later refreshes or when access is requested.`);

  const vms = joined.flat().sort((a, b) => (a.subscriptionName ?? "").localeCompare(b.subscriptionName ?? "") || a.name.localeCompare(b.name));
  const usedArg = data.some((d) => d.usedArg);
  const usedSdk = data.some((d) => d.usedSdk);
  return {
    tenants,
    subscriptions: data.flatMap((d) => d.subscriptions),
    vms,
    partialErrors,
    source: usedArg && usedSdk ? "mixed" : usedSdk ? "sdk" : "resourceGraph",
    unreadPolicies,
    loadedAt: now,
  };
}

type Recorder = (what: string, e: unknown, ids?: { tenantId?: string; subscriptionId?: string }) => void;

async function loadTenant(ctx: AzureContext, tenant: TenantInfo, options: InventoryOptions, record: Recorder, signal?: AbortSignal): Promise<TenantData | undefined> {
  const tenantId = tenant.tenantId;
  const label = tenant.displayName ?? tenant.defaultDomain ?? tenantId;
  let eligibilities: Eligibility[];
  let actives: ActiveAssignment[];
  let subscriptions: SubscriptionInfo[];
  try {
    // A token of another tenant would silently list the home tenant's roles twice.
    const who = await getCallerIdentity(ctx, tenantId, signal);
    if (who.tenantId.toLowerCase() !== tenantId.toLowerCase()) {
      throw new JitError("AuthenticationFailed", `The sign-in returned a token for tenant ${who.tenantId} when tenant ${label} was asked for, so its VMs cannot be listed. Sign in to ${label} explicitly (a guest account needs its own sign-in there).`);
    }
    [eligibilities, actives, subscriptions] = await Promise.all([
      listEligibilities(ctx, tenantId, signal),
      listActiveAssignments(ctx, tenantId, signal),
      listSubscriptions(ctx, tenantId, signal).catch((e: unknown) => {
        record(`the subscriptions of tenant ${label}`, e, { tenantId });
        return [] as SubscriptionInfo[];
      }),
    ]);
  } catch (e) {
    record(`your roles in tenant ${label}`, e, { tenantId });
    return undefined;
  }

  // Subscriptions the roles touch; an eligibility on a subscription we cannot list still counts.
  const known = new Map(subscriptions.map((s) => [s.subscriptionId.toLowerCase(), s]));
  const wanted = new Map<string, SubscriptionInfo>();
  const tenantWide = [...eligibilities, ...actives].some((r) => armIdKey(r.scope) === "/");
  for (const r of [...eligibilities, ...actives]) {
    const sub = parseArmId(r.scope)?.subscriptionId;
    if (!sub) continue;
    const display = "scopeDisplayName" in r && !parseArmId(r.scope)?.resourceGroup ? r.scopeDisplayName : undefined;
    wanted.set(sub.toLowerCase(), known.get(sub.toLowerCase()) ?? { subscriptionId: sub, displayName: display ?? sub, tenantId });
  }
  if (tenantWide) for (const s of subscriptions) wanted.set(s.subscriptionId.toLowerCase(), s);
  // Roles at a management group cover the subscriptions below it (getEntities says which).
  const groupScopes = new Set([...eligibilities, ...actives].map((r) => managementGroupOf(r.scope)).filter((g): g is string => g !== undefined));
  let groups = new Map<string, string[]>();
  if (groupScopes.size > 0) {
    groups = await listSubscriptionGroups(ctx, tenantId, signal).catch((e: unknown) => {
      record(`the management groups above the subscriptions of tenant ${label}`, e, { tenantId });
      return new Map<string, string[]>();
    });
    for (const [sub, chain] of groups) if (chain.some((g) => groupScopes.has(g))) wanted.set(sub, known.get(sub) ?? { subscriptionId: sub, displayName: sub, tenantId });
  }
  const targetSubs = [...wanted.values()];
  const limit = options.concurrency ?? 32;

  const [resources, jitPolicies] = await Promise.all([
    loadResources(ctx, tenantId, targetSubs, options, record, signal),
    mapWithConcurrency(
      targetSubs,
      limit,
      (s) =>
        listJitPolicies(ctx, tenantId, s.subscriptionId, signal).catch((e: unknown) => {
          record(`the JIT policies of subscription ${s.displayName}`, e, { tenantId, subscriptionId: s.subscriptionId });
          return [] as JitPolicyRecord[];
        }),
      signal,
    ).then((lists) => lists.flat()),
  ]);

  return { tenant, subscriptions: targetSubs, eligibilities, actives, resources: resources.data, jitPolicies, groups, usedArg: resources.usedArg, usedSdk: resources.usedSdk };
}

export function policyKey(scope: string, roleDefinitionId: string): string {
  return `${armIdKey(scope)}|${roleDefinitionId.split("/").pop()?.toLowerCase() ?? ""}`;
}

async function loadResources(
  ctx: AzureContext,
  tenantId: string,
  subs: readonly SubscriptionInfo[],
  options: InventoryOptions,
  record: Recorder,
  signal?: AbortSignal,
): Promise<{ data: SubscriptionResources; usedArg: boolean; usedSdk: boolean }> {
  const empty: SubscriptionResources = { vms: [], nics: [], vnets: [], bastions: [] };
  if (subs.length === 0) return { data: empty, usedArg: false, usedSdk: false };
  const ids = subs.map((s) => s.subscriptionId);
  if (options.useResourceGraph !== false) {
    try {
      // Large types page in parallel; the few VNets and Bastions share one query.
      const [vmRows, nicRows, netRows] = await Promise.all([
        queryResources(ctx, tenantId, ids, [ARG_TYPES.virtualMachine], signal, VM_PROPERTY_PATHS),
        queryResources(ctx, tenantId, ids, [ARG_TYPES.networkInterface], signal, NIC_PROPERTY_PATHS),
        queryResources(ctx, tenantId, ids, [ARG_TYPES.virtualNetwork, ARG_TYPES.bastionHost], signal),
      ]);
      const typeOf = (row: Record<string, unknown>): string => String(row.type ?? "").toLowerCase();
      return {
        data: {
          vms: vmRows.map(vmFromAzure).filter((v): v is VmRecord => v !== undefined),
          nics: nicRows.map(nicFromAzure).filter((n): n is NicRecord => n !== undefined),
          vnets: netRows.filter((r) => typeOf(r) === ARG_TYPES.virtualNetwork).map(vnetFromAzure).filter((v): v is VnetRecord => v !== undefined),
          bastions: netRows.filter((r) => typeOf(r) === ARG_TYPES.bastionHost).map(bastionFromAzure).filter((b): b is BastionRecord => b !== undefined),
        },
        usedArg: true,
        usedSdk: false,
      };
    } catch (e) {
      if (isCancellation(e) || !resourceGraphUnavailable(e)) throw e;
      ctx.logger.info(`Azure Resource Graph is unavailable (${errorMessage(e)}); listing resources per subscription instead.`);
    }
  }
  const lists = await mapWithConcurrency(
    subs,
    options.concurrency ?? 32,
    (s) =>
      listSubscriptionResources(ctx, tenantId, s.subscriptionId, signal).catch((e: unknown) => {
        record(`the VMs and networks of subscription ${s.displayName}`, e, { tenantId, subscriptionId: s.subscriptionId });
        return empty;
      }),
    signal,
  );
  return {
    data: { vms: lists.flatMap((l) => l.vms), nics: lists.flatMap((l) => l.nics), vnets: lists.flatMap((l) => l.vnets), bastions: lists.flatMap((l) => l.bastions) },
    usedArg: false,
    usedSdk: true,
  };
}

/** The (scope, role) pairs whose PIM policy some requestable VM of this tenant needs. */
function policyPairsNeeded(prepared: readonly PreparedVm[]): Eligibility[] {
  const pairs = new Map<string, Eligibility>();
  for (const { entry: vm } of prepared) {
    const e = vm.eligibility;
    if (!e || !vm.readiness.canRequestAccess || vm.readiness.role.state === "active") continue;
    pairs.set(policyKey(e.scope, e.roleDefinitionId), e);
  }
  return [...pairs.values()];
}

/** Reads the policies of `pairs` (cache first), at most `budget` from Azure. */
async function readPolicies(
  ctx: AzureContext,
  tenantId: string,
  pairs: readonly Eligibility[],
  budget: number,
  options: InventoryOptions,
  record: Recorder,
  signal?: AbortSignal,
): Promise<{ policies: Map<string, PimRequirements | undefined>; reads: number; unread: number }> {
  const policies = new Map<string, PimRequirements | undefined>();
  const toRead: Eligibility[] = [];
  for (const e of pairs) {
    const cached = options.policyCache?.get(tenantId, e.scope, e.roleDefinitionId);
    if (cached?.hit) policies.set(policyKey(e.scope, e.roleDefinitionId), cached.requirements);
    else toRead.push(e);
  }
  const batch = toRead.slice(0, Math.max(0, budget));
  const reader = new PimPolicyReader(ctx, tenantId);
  await mapWithConcurrency(
    batch,
    options.concurrency ?? 32,
    async (e) => {
      try {
        const requirements = (await reader.get(e.scope, e.roleDefinitionId, signal))?.requirements;
        policies.set(policyKey(e.scope, e.roleDefinitionId), requirements);
        options.policyCache?.set(tenantId, e.scope, e.roleDefinitionId, requirements);
      } catch (err) {
        record(`the PIM policy of ${e.roleName ?? "a role"} at ${e.scope}`, err, { tenantId, subscriptionId: parseArmId(e.scope)?.subscriptionId });
      }
    },
    signal,
  );
  return { policies, reads: batch.length, unread: toRead.length - batch.length };
}

/** A VM joined with everything readiness needs; the PIM policy is added once it is read. */
interface PreparedVm {
  entry: VmEntry;
  input: ReadinessInput;
  policyKey?: string;
}

/**
 * Joins one tenant's records into VM entries with readiness (computed without PIM policies; see
 * `withPolicies`). Linear in VMs, with hash lookups only; per-VNet answers are shared.
 */
function joinTenant(d: TenantData, options: InventoryOptions, now: number, cloud: CloudEnvironment): PreparedVm[] {
  const roles = new RoleIndex(d.eligibilities, d.actives, (sub) => d.groups.get(sub.toLowerCase()) ?? []);
  const network = new NetworkIndex(d.resources.vnets, d.resources.bastions);
  const jit = new JitIndex(d.jitPolicies);
  const nics = new Map(d.resources.nics.map((n) => [armIdKey(n.id), n]));
  const subs = new Map(d.subscriptions.map((s) => [s.subscriptionId.toLowerCase(), s]));
  const vnetOf = new Map<string, string | undefined>();
  const tenantName = d.tenant.displayName ?? d.tenant.defaultDomain;

  const prepared: PreparedVm[] = [];
  for (const vm of d.resources.vms) {
    if (!options.includeUncoveredVms && !roles.covers(vm.id)) continue;
    const matched = roles.match(vm.id, now);
    const role = matched.eligibility ? { ...matched, eligibility: eligibilityForVm(matched.eligibility, vm) } : matched;
    const nic = vm.nicIds[0] ? nics.get(armIdKey(vm.nicIds[0])) : undefined;
    const subnetId = nic?.subnetIds[0];
    let vnetId: string | undefined;
    if (subnetId) {
      if (!vnetOf.has(subnetId)) vnetOf.set(subnetId, vnetOfSubnet(subnetId));
      vnetId = vnetOf.get(subnetId);
    }
    const networkProblem = !vm.nicIds[0] ? "The VM has no network interface." : !nic ? "The VM's network interface could not be read, so no Bastion route is known." : !vnetId ? "The VM's subnet is unknown, so no Bastion route is known." : undefined;
    const bastions = network.candidates(vnetId);
    const vmJit = jit.forVm(vm.id);
    const key = role.eligibility ? policyKey(role.eligibility.scope, role.eligibility.roleDefinitionId) : undefined;
    const input: ReadinessInput = {
      now,
      vm,
      role,
      policyUnread: key !== undefined,
      jit: vmJit,
      bastions,
      networkProblem,
      credential: credentialFor(vm, options.rememberedCredential?.(vm.id), cloud),
      grant: options.grantFor?.(vm.id),
    };
    const sub = subs.get(vm.subscriptionId.toLowerCase());
    const entry: VmEntry = {
      ...vm,
      tenantId: sub?.tenantId ?? vm.tenantId ?? d.tenant.tenantId,
      tenantName,
      subscriptionName: sub?.displayName,
      privateIp: nic?.privateIp,
      subnetId,
      vnetId,
      eligibility: role.eligibility,
      activeAssignment: role.active,
      ...entraLoginRoleOf(roles, vm.id, now),
      jitPolicy: vmJit ? { id: vmJit.policy.id, name: vmJit.policy.name, subscriptionId: vmJit.policy.subscriptionId, resourceGroup: vmJit.policy.resourceGroup, location: vmJit.policy.location } : undefined,
      bastion: bastions[0]?.bastion,
      readiness: computeReadiness(input),
    };
    prepared.push({ entry, input, policyKey: key });
  }
  return prepared;
}

function entraLoginRoleOf(roles: RoleIndex, vmId: string, now: number): Pick<VmEntry, "entraLoginRole"> {
  const login = roles.loginRole(vmId, now);
  return login.eligibility || login.active ? { entraLoginRole: login } : {};
}

/** The final entries: readiness recomputed for the VMs whose PIM policy was read. */
function withPolicies(prepared: readonly PreparedVm[], policies: ReadonlyMap<string, PimRequirements | undefined>): VmEntry[] {
  return prepared.map(({ entry, input, policyKey: key }) => {
    if (key === undefined || !policies.has(key)) return entry;
    const requirements = policies.get(key);
    return { ...entry, pimRequirements: requirements, readiness: computeReadiness({ ...input, requirements, policyUnread: false }) };
  });
}
