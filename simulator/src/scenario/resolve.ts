/**
 * Turns a validated scenario into the world's models: ids derived from names, references
 * (subscription, network, vault, role, principal, scope) resolved, every cross-reference problem
 * reported with the path of the field, like the schema's own checks.
 */
import * as os from "node:os";
import { hostAddress, parsePrefix, prefixCovers } from "../util/cidr";
import { parseIsoDuration } from "../util/duration";
import { idKey, stableGuid } from "../util/ids";
import type {
  BastionModel,
  NetworkInterfaceModel,
  RoleAssignmentModel,
  RoleDefinitionModel,
  ServicePrincipalModel,
  SubscriptionModel,
  TenantModel,
  UserModel,
  VaultModel,
  VirtualMachineModel,
  VirtualNetworkModel,
} from "../world/model";
import { BUILT_IN_ROLES } from "../world/roleDefinitions";
import { managementGroupId, type ManagementGroupModel } from "../world/scopeLineage";
import { ScenarioError } from "./check";
import type { JitPortSpec, PimPolicySpec, Scenario } from "./schema";

export interface SimulationSettings {
  tokenLifetimeSeconds: number;
  deviceCodeLifetimeSeconds: number;
  deviceCodeIntervalSeconds: number;
  pimProvisioningSeconds: number;
  jitInitiatingSeconds: number;
  vmStartSeconds: number;
  armPageSize: number;
  bastionAcceptsResourceManagerAudience: boolean;
  asTargetIncludesInherited: boolean;
  caeChallenge?: { pathRegex?: string; count: number };
}

export interface EligibilityModel {
  principalId: string;
  principalType: "User" | "ServicePrincipal";
  tenantId: string;
  roleGuid: string;
  scope: string;
  start: number;
  end: number;
  activeHours?: number;
}

export interface PimPolicyModel {
  scope: string;
  roleGuid: string;
  maximumDurationMs: number;
  maximumDuration: string;
  requireJustification: boolean;
  requireTicket: boolean;
  requireMfa: boolean;
  requireApproval: boolean;
  requireApprovalForExtension: boolean;
  approvers: { upn: string; objectId?: string }[];
  authenticationContext?: string;
}

export interface JitPortModel {
  number: number;
  protocol: "TCP" | "UDP" | "*";
  allowedSourceAddressPrefix?: string;
  allowedSourceAddressPrefixes?: string[];
  maxRequestAccessDuration: string;
}

export interface JitPolicyInit {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  virtualMachines: { id: string; ports: JitPortModel[] }[];
  activeRequests: { vmId: string; port: number; hours: number; sourcePrefix: string; requestor: string; justification?: string }[];
}

/** The scenario after loading: every entity with its ARM id. What `Simulator.scenario` exposes. */
export interface LoadedScenario {
  name: string;
  description: string;
  /** The file it came from ("<object>" for a generated scenario). */
  source: string;
  simulation: SimulationSettings;
  tenants: TenantModel[];
  users: UserModel[];
  servicePrincipals: ServicePrincipalModel[];
  subscriptions: SubscriptionModel[];
  managementGroups: ManagementGroupModel[];
  roleDefinitions: RoleDefinitionModel[];
  roleAssignments: RoleAssignmentModel[];
  virtualNetworks: VirtualNetworkModel[];
  networkInterfaces: NetworkInterfaceModel[];
  bastions: BastionModel[];
  vaults: VaultModel[];
  vms: VirtualMachineModel[];
  eligibilities: EligibilityModel[];
  pimPolicies: PimPolicyModel[];
  jitPolicies: JitPolicyInit[];
  /** Literal secrets declared on vaults (VM credentials are generated at start). */
  literalSecrets: { vaultName: string; name: string; value: string; contentType?: string; tags: Record<string, string>; enabled?: boolean }[];
}

const DEFAULT_LOCATION = "westeurope";

export function resolveScenario(s: Scenario, file: string, nowMs: number): LoadedScenario {
  const problems: string[] = [];
  const osUser = safeOsUser();
  const sub = (v: string): string => v.replace(/\{\{\s*osUser\s*\}\}/g, osUser);
  const lower = (v: string): string => v.toLowerCase();

  // --- tenants, users, apps
  const tenants: TenantModel[] = s.tenants.map((t) => ({
    id: t.id ?? stableGuid("tenant", t.name),
    name: t.name,
    domain: t.domain,
    trustedLocations: (t.trustedLocations ?? ["office"]).map(lower),
    conditionalAccess: t.conditionalAccess ?? [],
  }));
  const tenantByName = new Map(tenants.map((t) => [lower(t.name), t]));
  const tenantRef = (name: string, path: string): TenantModel | undefined => {
    const t = tenantByName.get(lower(name)) ?? tenants.find((x) => lower(x.id) === lower(name) || lower(x.domain) === lower(name));
    if (!t) problems.push(`${path}: unknown tenant "${name}" (known: ${tenants.map((x) => x.name).join(", ")})`);
    return t;
  };
  const servicePrincipals: ServicePrincipalModel[] = [];
  s.tenants.forEach((t, i) => {
    const tenant = tenants[i]!;
    for (const sp of t.servicePrincipals ?? []) {
      servicePrincipals.push({
        tenantId: tenant.id,
        displayName: sp.displayName,
        appId: sp.appId ?? stableGuid("app", tenant.id, sp.displayName),
        objectId: sp.objectId ?? stableGuid("sp", tenant.id, sp.displayName),
        secret: sp.secret,
        location: lower(sp.location ?? "office"),
      });
    }
  });
  const users: UserModel[] = [];
  (s.users ?? []).forEach((u, i) => {
    const path = `users[${i}]`;
    const home = tenantRef(u.tenant, `${path}.tenant`);
    if (!home) return;
    const objectIds = new Map<string, string>([[home.id, u.objectId ?? stableGuid("user", home.id, lower(u.upn))]]);
    (u.guestIn ?? []).forEach((g, j) => {
      const t = tenantRef(g, `${path}.guestIn[${j}]`);
      if (t) objectIds.set(t.id, stableGuid("guest", t.id, lower(u.upn)));
    });
    users.push({
      upn: u.upn,
      displayName: u.displayName ?? u.upn.split("@")[0]!,
      homeTenantId: home.id,
      objectIds,
      mfaRegistered: u.mfaRegistered ?? true,
      deviceCompliant: u.deviceCompliant ?? true,
      location: lower(u.location ?? "office"),
    });
  });

  // --- subscriptions
  const subscriptions: SubscriptionModel[] = [];
  s.subscriptions.forEach((x, i) => {
    const t = tenantRef(x.tenant, `subscriptions[${i}].tenant`);
    if (t) subscriptions.push({ id: x.id ?? stableGuid("subscription", x.name), name: x.name, tenantId: t.id });
  });
  const subRef = (name: string, path: string): SubscriptionModel | undefined => {
    const found = subscriptions.find((x) => lower(x.name) === lower(name) || lower(x.id) === lower(name));
    if (!found) problems.push(`${path}: unknown subscription "${name}" (known: ${subscriptions.map((x) => x.name).join(", ")})`);
    return found;
  };

  // --- management groups
  const managementGroups: ManagementGroupModel[] = [];
  (s.managementGroups ?? []).forEach((g, i) => {
    const path = `managementGroups[${i}]`;
    const tenant = tenants.find((t) => lower(t.name) === lower(g.tenant) || lower(t.id) === lower(g.tenant));
    if (!tenant) problems.push(`${path}.tenant: unknown tenant "${g.tenant}"`);
    const subscriptionIds = (g.subscriptions ?? []).map((x, k) => subRef(x, `${path}.subscriptions[${k}]`)?.id).filter((x): x is string => x !== undefined);
    managementGroups.push({ name: g.name, id: managementGroupId(g.name), displayName: g.displayName ?? g.name, tenantId: tenant?.id ?? "", parent: g.parent, subscriptionIds });
  });
  managementGroups.forEach((g, i) => {
    if (g.parent && !managementGroups.some((x) => lower(x.name) === lower(g.parent!))) problems.push(`managementGroups[${i}].parent: unknown management group "${g.parent}"`);
  });
  checkUnique(problems, "managementGroups", managementGroups.map((g) => lower(g.name)), "management group name");
  const groupRef = (name: string, path: string): ManagementGroupModel | undefined => {
    const found = managementGroups.find((g) => lower(g.name) === lower(name));
    if (!found) problems.push(`${path}: unknown management group "${name}"`);
    return found;
  };

  // --- roles
  const roleDefinitions: RoleDefinitionModel[] = [...BUILT_IN_ROLES];
  (s.roleDefinitions ?? []).forEach((r, i) => {
    if (roleDefinitions.some((x) => lower(x.name) === lower(r.name))) problems.push(`roleDefinitions[${i}].name: a role named "${r.name}" already exists`);
    roleDefinitions.push({
      guid: r.id ?? stableGuid("role", r.name),
      name: r.name,
      type: "CustomRole",
      description: r.description ?? "",
      permissions: { actions: r.actions ?? [], notActions: r.notActions ?? [], dataActions: r.dataActions ?? [], notDataActions: r.notDataActions ?? [] },
    });
  });
  const roleRef = (name: string, path: string): RoleDefinitionModel | undefined => {
    const r = roleDefinitions.find((x) => lower(x.name) === lower(name) || lower(x.guid) === lower(name));
    if (!r) problems.push(`${path}: unknown role "${name}" (known: ${roleDefinitions.map((x) => x.name).join(", ")})`);
    return r;
  };

  // --- networks
  const rid = (subId: string, rg: string, type: string, name: string): string => `/subscriptions/${subId}/resourceGroups/${rg}/providers/${type}/${name}`;
  const virtualNetworks: VirtualNetworkModel[] = [];
  (s.virtualNetworks ?? []).forEach((v, i) => {
    const path = `virtualNetworks[${i}]`;
    const sb = subRef(v.subscription, `${path}.subscription`);
    if (!sb) return;
    const id = rid(sb.id, v.resourceGroup, "Microsoft.Network/virtualNetworks", v.name);
    v.subnets.forEach((sn, j) => {
      const p = parsePrefix(sn.addressPrefix);
      if (p && !v.addressPrefixes.some((a) => { const ap = parsePrefix(a); return ap !== undefined && prefixCovers(ap, p); })) {
        problems.push(`${path}.subnets[${j}].addressPrefix: ${sn.addressPrefix} is outside the address space ${v.addressPrefixes.join(", ")}`);
      }
    });
    virtualNetworks.push({
      kind: "vnet", id, name: v.name, type: "Microsoft.Network/virtualNetworks", subscriptionId: sb.id, resourceGroup: v.resourceGroup,
      location: v.location ?? DEFAULT_LOCATION, tags: v.tags ?? {}, addressPrefixes: v.addressPrefixes,
      subnets: v.subnets.map((sn) => ({ name: sn.name, id: `${id}/subnets/${sn.name}`, addressPrefix: sn.addressPrefix })), peeringVnetIds: [],
    });
  });
  const vnetRef = (name: string, path: string): VirtualNetworkModel | undefined => {
    const found = virtualNetworks.find((x) => lower(x.name) === lower(name) || idKey(x.id) === idKey(name));
    if (!found) problems.push(`${path}: unknown virtual network "${name}"`);
    return found;
  };
  (s.virtualNetworks ?? []).forEach((v, i) => {
    const me = virtualNetworks.find((x) => x.name === v.name);
    (v.peerings ?? []).forEach((p, j) => {
      const other = vnetRef(p, `virtualNetworks[${i}].peerings[${j}]`);
      if (!me || !other) return;
      // Peerings are created in both directions, as a connected peering is in Azure.
      if (!me.peeringVnetIds.includes(other.id)) me.peeringVnetIds.push(other.id);
      if (!other.peeringVnetIds.includes(me.id)) other.peeringVnetIds.push(me.id);
    });
  });

  // --- bastions
  const bastions: BastionModel[] = [];
  (s.bastions ?? []).forEach((b, i) => {
    const path = `bastions[${i}]`;
    const sb = subRef(b.subscription, `${path}.subscription`);
    const vnet = vnetRef(b.virtualNetwork, `${path}.virtualNetwork`);
    if (!sb || !vnet) return;
    const subnet = vnet.subnets.find((x) => x.name === "AzureBastionSubnet");
    if (!subnet && b.sku !== "Developer") problems.push(`${path}.virtualNetwork: "${vnet.name}" has no subnet named AzureBastionSubnet (required for SKU ${b.sku})`);
    bastions.push({
      kind: "bastion", id: rid(sb.id, b.resourceGroup, "Microsoft.Network/bastionHosts", b.name), name: b.name, type: "Microsoft.Network/bastionHosts",
      subscriptionId: sb.id, resourceGroup: b.resourceGroup, location: b.location ?? vnet.location, tags: b.tags ?? {}, sku: b.sku,
      enableTunneling: b.enableTunneling ?? false, enableIpConnect: b.enableIpConnect ?? false, scaleUnits: b.scaleUnits ?? 2, vnetId: vnet.id, subnet, dnsName: "",
    });
  });

  // --- vaults
  const vaults: VaultModel[] = [];
  const literalSecrets: LoadedScenario["literalSecrets"] = [];
  (s.vaults ?? []).forEach((v, i) => {
    const sb = subRef(v.subscription, `vaults[${i}].subscription`);
    if (!sb) return;
    if (vaults.some((x) => lower(x.name) === lower(v.name))) problems.push(`vaults[${i}].name: duplicate vault name "${v.name}"`);
    vaults.push({
      kind: "vault", id: rid(sb.id, v.resourceGroup, "Microsoft.KeyVault/vaults", v.name), name: v.name, type: "Microsoft.KeyVault/vaults", subscriptionId: sb.id,
      resourceGroup: v.resourceGroup, location: v.location ?? DEFAULT_LOCATION, tags: {}, tenantId: sb.tenantId, vaultGuid: stableGuid("vault", v.name), uri: "", secrets: new Map(),
    });
    for (const sec of v.secrets ?? []) literalSecrets.push({ vaultName: v.name, name: sec.name, value: sub(sec.value), contentType: sec.contentType, tags: sec.tags ?? {}, enabled: sec.enabled });
  });
  const vaultRef = (name: string, path: string): VaultModel | undefined => {
    const found = vaults.find((x) => lower(x.name) === lower(name));
    if (!found) problems.push(`${path}: unknown vault "${name}"`);
    return found;
  };

  // --- VMs and their NICs
  const vms: VirtualMachineModel[] = [];
  const networkInterfaces: NetworkInterfaceModel[] = [];
  const usedIps = new Map<string, number>();
  const vmKeys = new Set<string>();
  (s.virtualMachines ?? []).forEach((v, i) => {
    const path = `virtualMachines[${i}]`;
    const sb = subRef(v.subscription, `${path}.subscription`);
    const vnet = vnetRef(v.virtualNetwork, `${path}.virtualNetwork`);
    if (!sb || !vnet) return;
    const subnet = vnet.subnets.find((x) => lower(x.name) === lower(v.subnet));
    if (!subnet) {
      problems.push(`${path}.subnet: virtual network "${vnet.name}" has no subnet "${v.subnet}"`);
      return;
    }
    const vmKey = `${sb.id}/${lower(v.resourceGroup)}/${lower(v.name)}`;
    if (vmKeys.has(vmKey)) problems.push(`${path}.name: duplicate VM "${v.name}" in the same resource group`);
    vmKeys.add(vmKey);
    if (v.credential) vaultRef(v.credential.vault, `${path}.credential.vault`);
    const n = (usedIps.get(subnet.id) ?? 3) + 1;
    usedIps.set(subnet.id, n);
    const vmId = rid(sb.id, v.resourceGroup, "Microsoft.Compute/virtualMachines", v.name);
    const nicId = rid(sb.id, v.resourceGroup, "Microsoft.Network/networkInterfaces", `${v.name}-nic`);
    const location = v.location ?? vnet.location;
    const osType = v.osType ?? "Linux";
    vms.push({
      kind: "vm", id: vmId, name: v.name, type: "Microsoft.Compute/virtualMachines", subscriptionId: sb.id, resourceGroup: v.resourceGroup, location,
      tags: Object.fromEntries(Object.entries(v.tags ?? {}).map(([k, x]) => [k, sub(x)])), vmGuid: stableGuid("vm", vmId.toLowerCase()),
      size: v.size ?? "Standard_B2s", osType, adminUsername: sub(v.adminUsername ?? (osType === "Windows" ? "azureadmin" : "{{osUser}}")), nicId,
      power: v.power ?? "running",
      credential: v.credential
        ? { type: v.credential.type, keyFormat: v.credential.keyFormat ?? "openssh-ed25519", vaultName: v.credential.vault, secretName: v.credential.secretName, tagged: v.credential.tagged ?? true }
        : undefined,
      openPorts: v.openPorts ?? [], createdAt: nowMs - 90 * 86400_000,
      entraLogin: v.entraLogin ?? false,
      ...((v.managedIdentity ?? v.entraLogin ?? false) ? { systemIdentityPrincipalId: stableGuid("vm-identity", vmId.toLowerCase()) } : {}),
    });
    networkInterfaces.push({
      kind: "nic", id: nicId, name: `${v.name}-nic`, type: "Microsoft.Network/networkInterfaces", subscriptionId: sb.id, resourceGroup: v.resourceGroup, location, tags: {},
      vmId, subnetId: subnet.id, privateIp: v.privateIp ?? hostAddress(subnet.addressPrefix, n),
    });
  });

  // --- scopes and principals
  const resolveScope = (text: string, path: string): string | undefined => {
    const t = text.trim();
    if (t === "/" || t === "") return "/";
    let m = /^vault:([^/]+)(\/secrets\/.+)?$/i.exec(t);
    if (m) {
      const v = vaultRef(m[1]!, path);
      return v ? `${v.id}${m[2] ?? ""}` : undefined;
    }
    m = /^vm:(.+)$/i.exec(t);
    if (m) {
      const v = vms.find((x) => lower(x.name) === lower(m![1]!));
      if (!v) problems.push(`${path}: unknown VM "${m[1]}"`);
      return v?.id;
    }
    m = /^(?:mg:|\/providers\/Microsoft\.Management\/managementGroups\/)([^/]+)$/i.exec(t);
    if (m) return groupRef(m[1]!, path)?.id;
    m = /^\/subscriptions\/([^/]+)(\/.*)?$/i.exec(t);
    if (m) {
      const sb = subRef(m[1]!, path);
      return sb ? `/subscriptions/${sb.id}${(m[2] ?? "").replace(/\/+$/, "")}` : undefined;
    }
    problems.push(`${path}: "${text}" is not a scope (use /, /subscriptions/<name or id>/..., mg:<name>, vault:<name>, vm:<name>)`);
    return undefined;
  };
  const tenantOfScope = (scope: string): string | undefined => {
    const g = /^\/providers\/Microsoft\.Management\/managementGroups\/([^/]+)$/i.exec(scope);
    if (g) return managementGroups.find((x) => lower(x.name) === lower(g[1]!))?.tenantId;
    const m = /^\/subscriptions\/([^/]+)/i.exec(scope);
    return m ? subscriptions.find((x) => lower(x.id) === lower(m[1]!))?.tenantId : undefined;
  };
  const principalRef = (text: string, scope: string, path: string): { id: string; type: "User" | "ServicePrincipal"; tenantId: string } | undefined => {
    const u = users.find((x) => lower(x.upn) === lower(text));
    const tenantId = tenantOfScope(scope) ?? u?.homeTenantId;
    if (u && tenantId) {
      const oid = u.objectIds.get(tenantId);
      if (!oid) problems.push(`${path}: user ${u.upn} is neither a member nor a guest of the tenant owning ${scope}`);
      return oid ? { id: oid, type: "User", tenantId } : undefined;
    }
    const sp = servicePrincipals.find((x) => lower(x.displayName) === lower(text) || lower(x.appId) === lower(text));
    if (sp) {
      if (tenantId && sp.tenantId !== tenantId) problems.push(`${path}: app "${sp.displayName}" belongs to another tenant than ${scope}`);
      return { id: sp.objectId, type: "ServicePrincipal", tenantId: sp.tenantId };
    }
    problems.push(`${path}: unknown principal "${text}" (a user UPN or an app display name)`);
    return undefined;
  };

  const roleAssignments: RoleAssignmentModel[] = [];
  (s.roleAssignments ?? []).forEach((a, i) => {
    const path = `roleAssignments[${i}]`;
    const scope = resolveScope(a.scope, `${path}.scope`);
    const role = roleRef(a.role, `${path}.role`);
    const p = scope ? principalRef(a.principal, scope, `${path}.principal`) : undefined;
    if (scope && role && p) roleAssignments.push({ name: stableGuid("ra", scope, role.guid, p.id), scope, roleGuid: role.guid, principalId: p.id, principalType: p.type, tenantId: p.tenantId });
  });

  const eligibilities: EligibilityModel[] = [];
  (s.eligibilities ?? []).forEach((e, i) => {
    const path = `eligibilities[${i}]`;
    const scope = resolveScope(e.scope, `${path}.scope`);
    const role = roleRef(e.role, `${path}.role`);
    const p = scope ? principalRef(e.principal, scope, `${path}.principal`) : undefined;
    if (scope && role && p) {
      eligibilities.push({ principalId: p.id, principalType: p.type, tenantId: p.tenantId, roleGuid: role.guid, scope, start: nowMs - 30 * 86400_000, end: nowMs + (e.durationDays ?? 365) * 86400_000, activeHours: e.activeHours });
    }
  });

  const pimPolicies: PimPolicyModel[] = [];
  (s.pimPolicies ?? []).forEach((p: PimPolicySpec, i) => {
    const path = `pimPolicies[${i}]`;
    const scope = resolveScope(p.scope, `${path}.scope`);
    const role = roleRef(p.role, `${path}.role`);
    if (!scope || !role) return;
    const max = p.maximumDuration ?? "PT8H";
    pimPolicies.push({
      scope, roleGuid: role.guid, maximumDuration: max, maximumDurationMs: parseIsoDuration(max) ?? 8 * 3600_000,
      requireJustification: p.requireJustification ?? true, requireTicket: p.requireTicket ?? false, requireMfa: p.requireMfa ?? false,
      requireApproval: p.requireApproval ?? false, requireApprovalForExtension: p.requireApprovalForExtension ?? false,
      approvers: (p.approvers ?? []).map((upn) => ({ upn, objectId: users.find((u) => lower(u.upn) === lower(upn))?.objectIds.get(tenantOfScope(scope) ?? "") })),
      authenticationContext: p.authenticationContext,
    });
  });

  const jitPolicies: JitPolicyInit[] = [];
  (s.jitPolicies ?? []).forEach((j, i) => {
    const path = `jitPolicies[${i}]`;
    const sb = subRef(j.subscription, `${path}.subscription`);
    if (!sb) return;
    const vmIn = (name: string, p: string): VirtualMachineModel | undefined => {
      const v = vms.find((x) => lower(x.name) === lower(name) && x.subscriptionId === sb.id && lower(x.resourceGroup) === lower(j.resourceGroup));
      if (!v) problems.push(`${p}: no VM "${name}" in resource group ${j.resourceGroup} of ${sb.name} (a JIT policy covers VMs of its own resource group)`);
      return v;
    };
    const vmsOut: JitPolicyInit["virtualMachines"] = [];
    j.virtualMachines.forEach((v, k) => {
      const vm = vmIn(v.name, `${path}.virtualMachines[${k}].name`);
      v.ports.forEach((port, n) => {
        const max = parseIsoDuration(port.maxRequestAccessDuration ?? "PT3H");
        // "Minimum 5 minutes, maximum 1 day" (jitNetworkAccessPolicies.json, 2020-01-01).
        if (max !== undefined && (max < 5 * 60_000 || max > 24 * 3600_000)) problems.push(`${path}.virtualMachines[${k}].ports[${n}].maxRequestAccessDuration: must be between PT5M and P1D`);
      });
      if (vm) vmsOut.push({ id: vm.id, ports: v.ports.map(jitPort) });
    });
    const location = j.location ?? vms.find((v) => vmsOut.some((x) => x.id === v.id))?.location ?? DEFAULT_LOCATION;
    const name = j.name ?? "default";
    const active: JitPolicyInit["activeRequests"] = [];
    (j.activeRequests ?? []).forEach((r, k) => {
      const vm = vmIn(r.vm, `${path}.activeRequests[${k}].vm`);
      if (!vm) return;
      if (!vmsOut.some((x) => x.id === vm.id && x.ports.some((p) => p.number === r.port))) problems.push(`${path}.activeRequests[${k}].port: port ${r.port} of ${r.vm} is not in the policy`);
      active.push({ vmId: vm.id, port: r.port, hours: r.hours, sourcePrefix: r.sourcePrefix ?? "*", requestor: r.requestor ?? "scenario", justification: r.justification });
    });
    jitPolicies.push({
      id: `/subscriptions/${sb.id}/resourceGroups/${j.resourceGroup}/providers/Microsoft.Security/locations/${location}/jitNetworkAccessPolicies/${name}`,
      name, subscriptionId: sb.id, resourceGroup: j.resourceGroup, location, virtualMachines: vmsOut, activeRequests: active,
    });
  });

  for (const t of tenants) for (const [k, ca] of t.conditionalAccess.entries()) for (const u of ca.users ?? []) {
    if (u !== "All" && !users.some((x) => lower(x.upn) === lower(u))) problems.push(`tenants[${tenants.indexOf(t)}].conditionalAccess[${k}].users: unknown user "${u}"`);
  }
  checkUnique(problems, "tenants", tenants.map((t) => t.id), "tenant id");
  checkUnique(problems, "subscriptions", subscriptions.map((x) => x.id), "subscription id");
  checkUnique(problems, "users", users.map((x) => lower(x.upn)), "UPN");

  if (problems.length > 0) throw new ScenarioError(file, problems);
  const sim = s.simulation ?? {};
  return {
    name: s.name, description: s.description ?? "", source: file, managementGroups,
    simulation: {
      tokenLifetimeSeconds: sim.tokenLifetimeSeconds ?? 3599,
      deviceCodeLifetimeSeconds: sim.deviceCodeLifetimeSeconds ?? 900,
      deviceCodeIntervalSeconds: sim.deviceCodeIntervalSeconds ?? 1,
      pimProvisioningSeconds: sim.pimProvisioningSeconds ?? 0,
      jitInitiatingSeconds: sim.jitInitiatingSeconds ?? 0,
      vmStartSeconds: sim.vmStartSeconds ?? 0,
      armPageSize: sim.armPageSize ?? 100,
      bastionAcceptsResourceManagerAudience: sim.bastionAcceptsResourceManagerAudience ?? false,
      asTargetIncludesInherited: sim.asTargetIncludesInherited ?? false,
      caeChallenge: sim.caeChallenge ? { pathRegex: sim.caeChallenge.pathRegex, count: sim.caeChallenge.count ?? 1 } : undefined,
    },
    tenants, users, servicePrincipals, subscriptions, roleDefinitions, roleAssignments, virtualNetworks, networkInterfaces, bastions, vaults, vms,
    eligibilities, pimPolicies, jitPolicies, literalSecrets,
  };
}

function jitPort(p: JitPortSpec): JitPortModel {
  return {
    number: p.number,
    protocol: p.protocol ?? "*",
    ...(p.allowedSourceAddressPrefixes ? { allowedSourceAddressPrefixes: p.allowedSourceAddressPrefixes } : { allowedSourceAddressPrefix: p.allowedSourceAddressPrefix ?? "*" }),
    maxRequestAccessDuration: p.maxRequestAccessDuration ?? "PT3H",
  };
}

function checkUnique(problems: string[], section: string, values: string[], what: string): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) problems.push(`${section}[${i}]: duplicate ${what} ${v}`);
    seen.add(v);
  });
}

function safeOsUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? "root";
  }
}

