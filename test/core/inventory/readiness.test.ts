import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NetworkIndex } from "../../../src/core/inventory/bastionReach";
import { credentialFor } from "../../../src/core/inventory/credentialSource";
import { resolveCloud } from "../../../src/core/cloud";

/** A custom cloud whose vault hosts end in .localhost, like the URIs in these tests. */
const TEST_CLOUD = resolveCloud("Custom", { authorityHost: "https://login.localhost", resourceManagerEndpoint: "https://arm.localhost", keyVaultAudience: "https://vault.azure.net", keyVaultDnsSuffix: ".localhost" });
import { JitIndex } from "../../../src/core/inventory/jitSelection";
import { computeReadiness, type ReadinessGrant } from "../../../src/core/inventory/readiness";
import { RoleIndex } from "../../../src/core/inventory/roleSelection";
import type { ActiveAssignment, BastionRecord, Eligibility, JitPolicyRecord, PimRequirements, VmRecord, VnetRecord } from "../../../src/core/inventory/types";

const NOW = Date.UTC(2030, 0, 1, 12);
const H = 3600_000;
const S = "/subscriptions/s1";
const net = (rg: string, vnet: string): string => `${S}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${vnet}`;
const ROLE = "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/jit-role";
const READER = "/providers/Microsoft.Authorization/roleDefinitions/reader";

const vnets: VnetRecord[] = [
  { id: net("n", "hub"), name: "hub", addressPrefixes: ["10.0.0.0/16"], subnets: [{ id: `${net("n", "hub")}/subnets/AzureBastionSubnet`, name: "AzureBastionSubnet", addressPrefixes: ["10.0.1.0/26"] }], peeredVnetIds: [net("n", "spoke")] },
  { id: net("n", "spoke"), name: "spoke", addressPrefixes: ["10.1.0.0/16"], subnets: [{ id: `${net("n", "spoke")}/subnets/default`, name: "default", addressPrefixes: ["10.1.0.0/24"] }], peeredVnetIds: [] },
  { id: net("n", "legacy"), name: "legacy", addressPrefixes: ["10.3.0.0/16"], subnets: [{ id: `${net("n", "legacy")}/subnets/AzureBastionSubnet`, name: "AzureBastionSubnet", addressPrefixes: ["10.3.1.0/26"] }], peeredVnetIds: [] },
  { id: net("n", "locked"), name: "locked", addressPrefixes: ["10.4.0.0/16"], subnets: [{ id: `${net("n", "locked")}/subnets/AzureBastionSubnet`, name: "AzureBastionSubnet", addressPrefixes: ["10.4.1.0/26"] }], peeredVnetIds: [] },
  { id: net("n", "lonely"), name: "lonely", addressPrefixes: ["10.9.0.0/16"], subnets: [], peeredVnetIds: [] },
];
const bastion = (name: string, vnet: string, sku: string, enableTunneling: boolean): BastionRecord => ({ id: `${S}/resourceGroups/n/providers/Microsoft.Network/bastionHosts/${name}`, name, subscriptionId: "s1", resourceGroup: "n", sku, enableTunneling, dnsName: `${name}.example`, subnetId: `${net("n", vnet)}/subnets/AzureBastionSubnet`, vnetId: net("n", vnet) });
const bastions = [bastion("bas-hub", "hub", "Standard", true), bastion("bas-legacy", "legacy", "Basic", false), bastion("bas-locked", "locked", "Standard", false)];
const network = new NetworkIndex(vnets, bastions);

function vm(name: string, over: Partial<VmRecord> = {}): VmRecord {
  return { id: `${S}/resourceGroups/rg-${name}/providers/Microsoft.Compute/virtualMachines/${name}`, name, subscriptionId: "s1", resourceGroup: `rg-${name}`, location: "westeurope", tags: { "azure-jit-connect.secret": "https://kv.localhost/secrets/k" }, osType: "Linux", adminUsername: "azureuser", nicIds: ["nic"], powerState: "running", ...over };
}
const elig = (name: string): Eligibility => ({ id: `e-${name}`, tenantId: "t", scope: `${S}/resourceGroups/rg-${name}`, roleDefinitionId: ROLE, roleName: "JIT VM Operator", roleEligibilityScheduleId: `sched-${name}` });
function jitPolicy(v: VmRecord, ports: number[] = [22], requests: JitPolicyRecord["requests"] = []): JitPolicyRecord {
  return { id: `${S}/resourceGroups/${v.resourceGroup}/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default`, name: "default", subscriptionId: "s1", resourceGroup: v.resourceGroup, location: "westeurope", vms: [{ id: v.id, ports: ports.map((n) => ({ number: n, protocol: "TCP", allowedSourceAddressPrefixes: ["*"], maxDurationMs: 3 * H })) }], requests };
}
const policy: PimRequirements = { approval: false, approvalForExtension: false, mfa: false, justification: true, ticket: false, maxDurationMs: 8 * H };

function readiness(v: VmRecord, opts: { vnet?: string; eligibilities?: Eligibility[]; actives?: ActiveAssignment[]; requirements?: PimRequirements; jit?: JitPolicyRecord | null; grant?: ReadinessGrant } = {}) {
  const roles = new RoleIndex(opts.eligibilities ?? [elig(v.name)], opts.actives ?? []);
  const jit = new JitIndex(opts.jit === null ? [] : [opts.jit ?? jitPolicy(v)]);
  return computeReadiness({ now: NOW, vm: v, role: roles.match(v.id, NOW), requirements: opts.requirements ?? policy, jit: jit.forVm(v.id), bastions: network.candidates(net("n", opts.vnet ?? "spoke")), credential: credentialFor(v, undefined, TEST_CLOUD), grant: opts.grant });
}

function withSources(p: JitPolicyRecord, prefixes: string[]): JitPolicyRecord {
  return { ...p, vms: p.vms.map((v) => ({ ...v, ports: v.ports.map((r) => ({ ...r, allowedSourceAddressPrefixes: prefixes })) })) };
}

describe("JIT source prefix (matched verbatim by Azure)", () => {
  it("requests the Bastion subnet prefix when the rule lists it exactly or allows *", () => {
    const v = vm("vm-exact");
    assert.equal(readiness(v, { jit: withSources(jitPolicy(v), ["10.0.1.0/26"]) }).jit.requestPrefix, "10.0.1.0/26");
    assert.equal(readiness(v, { jit: withSources(jitPolicy(v), ["192.0.2.0/24", "10.0.1.0/26"]) }).jit.state, "available");
    assert.equal(readiness(v).jit.requestPrefix, "10.0.1.0/26", "* allows the Bastion subnet");
  });

  it("a rule that only lists a range containing the Bastion subnet blocks the VM with the administrator's fix", () => {
    const v = vm("vm-wide");
    const r = readiness(v, { jit: withSources(jitPolicy(v), ["10.0.0.0/16"]) });
    assert.equal(r.jit.state, "sourceNotAllowed");
    assert.equal(r.status, "noJitPolicy");
    assert.equal(r.jit.requestPrefix, undefined);
    assert.ok(!r.canRequestAccess);
    assert.match(r.reasons[0] ?? "", /allows port 22 only from 10\.0\.0\.0\/16.*add 10\.0\.1\.0\/26 to the allowed source addresses/);
  });
});

describe("computeReadiness", () => {
  it("needs PIM with a justification, JIT max 3 h (vm-dev-01)", () => {
    const r = readiness(vm("vm-dev-01"));
    assert.equal(r.status, "needsAccess");
    assert.equal(r.needs.pim, true);
    assert.equal(r.needs.justification, true);
    assert.equal(r.needs.approval, false);
    assert.equal(r.needs.jit, true);
    assert.equal(r.maxDurations.effectiveMs, 3 * H, "min(PIM 8 h, JIT 3 h)");
    assert.equal(r.bastion.name, "bas-hub");
    assert.equal(r.bastion.relation, "peered");
    assert.equal(r.bastion.subnetPrefix, "10.0.1.0/26");
    assert.match(r.reasons[0] ?? "", /must be activated in PIM \(justification, at most 8 h\)/);
    assert.ok(r.canRequestAccess);
    assert.ok(!r.canConnect);
  });

  it("is ready when the role is active and a JIT request covers the Bastion subnet (vm-ready)", () => {
    const v = vm("vm-ready");
    const r = readiness(v, {
      actives: [{ tenantId: "t", scope: `${S}/resourceGroups/rg-vm-ready`, roleDefinitionId: ROLE, assignmentType: "Activated", startsAt: NOW - H, endsAt: NOW + 7 * H }],
      jit: jitPolicy(v, [22], [{ vmId: v.id, port: 22, status: "Initiated", endsAt: NOW + H, sourcePrefixes: ["10.0.1.0/26"] }]),
    });
    assert.equal(r.status, "ready");
    assert.equal(r.role.endsAt, NOW + 7 * H);
    assert.equal(r.jit.endsAt, NOW + H);
    assert.ok(r.canConnect);
    assert.equal(r.maxDurations.effectiveMs, 3 * H, "an extension is bounded by JIT");
  });

  it("does not count a JIT window opened for another source (the user's IP)", () => {
    const v = vm("vm-ip");
    const r = readiness(v, {
      actives: [{ tenantId: "t", scope: `${S}/resourceGroups/rg-vm-ip`, roleDefinitionId: ROLE, assignmentType: "Activated", endsAt: NOW + H }],
      jit: jitPolicy(v, [22], [{ vmId: v.id, port: 22, status: "Initiated", endsAt: NOW + H, sourcePrefixes: ["203.0.113.7"] }]),
    });
    assert.equal(r.jit.state, "available");
    assert.equal(r.status, "needsAccess");
    assert.equal(r.needs.pim, false);
  });

  it("shows approval, MFA and authentication context needs", () => {
    const r = readiness(vm("vm-approval"), { requirements: { ...policy, approval: true, ticket: true } });
    assert.ok(r.needs.approval && r.needs.ticket && r.needs.justification);
    assert.match(r.reasons[0] ?? "", /approval required/);
    const m = readiness(vm("vm-mfa"), { requirements: { ...policy, mfa: true, authenticationContext: "c1" } });
    assert.ok(m.needs.mfa);
    assert.equal(m.needs.authenticationContext, "c1");
    assert.match(m.reasons[0] ?? "", /authentication context c1/);
  });

  it("pending approval comes from the access store", () => {
    const r = readiness(vm("vm-approval"), { grant: { state: "pendingApproval", requestName: "r1" } });
    assert.equal(r.status, "pendingApproval");
    assert.ok(!r.canRequestAccess);
  });

  it("reports structural blockers with the reason first", () => {
    const nojit = readiness(vm("vm-nojit"), { jit: null });
    assert.equal(nojit.status, "noJitPolicy");
    assert.match(nojit.reasons[0] ?? "", /No Defender for Cloud JIT policy/);
    assert.ok(!nojit.canRequestAccess);

    const win = vm("win-01", { osType: "Windows" });
    const w = readiness(win, { jit: jitPolicy(win, [3389]) });
    assert.equal(w.status, "unsupportedOs");
    assert.equal(w.jit.state, "portNotAllowed");
    assert.match(w.reasons[0] ?? "", /Windows/);

    const legacy = readiness(vm("vm-legacy"), { vnet: "legacy" });
    assert.equal(legacy.status, "bastionNoNativeClient");
    assert.match(legacy.reasons[0] ?? "", /Basic SKU/);
    const locked = readiness(vm("vm-locked"), { vnet: "locked" });
    assert.equal(locked.status, "bastionNoNativeClient");
    assert.match(locked.reasons[0] ?? "", /enableTunneling is false/);
    const lonely = readiness(vm("vm-lonely"), { vnet: "lonely" });
    assert.equal(lonely.status, "noBastion");

    const stopped = readiness(vm("vm-stopped", { powerState: "deallocated" }));
    assert.equal(stopped.status, "notRunning");
    assert.match(stopped.reasons[0] ?? "", /deallocated/);
    assert.ok(stopped.canRequestAccess, "access can be requested while the VM starts");
  });

  it("a standing Reader does not count as the access role", () => {
    const v = vm("vm-x");
    const r = readiness(v, { eligibilities: [], actives: [{ tenantId: "t", scope: S, roleDefinitionId: READER, assignmentType: "Assigned" }] });
    assert.equal(r.status, "noRole");
  });

  it("credential source: tag, else unknown with the admin user", () => {
    const tagged = readiness(vm("a", { tags: { "Azure-Jit-Connect.Secret": "https://kv.localhost/secrets/k", "azure-jit-connect.username": "ops" } }));
    assert.equal(tagged.credential.source, "tag");
    assert.equal(tagged.credential.username, "ops");
    const untagged = readiness(vm("b", { tags: {} }));
    assert.equal(untagged.credential.source, "unknown");
    assert.equal(untagged.credential.username, "azureuser");
    assert.ok(untagged.reasons.some((x) => /azure-jit-connect\.secret/.test(x)));
    assert.equal(credentialFor(vm("c", { tags: {} }), { secretUri: "https://kv.localhost/secrets/mine" }, TEST_CLOUD).source, "remembered");
  });

  it("expired: the store's grant has ended and access is gone", () => {
    const r = readiness(vm("vm-dev-01"), { grant: { state: "expired", expiresAt: NOW - 10 * 60_000 } });
    assert.equal(r.status, "expired");
    assert.match(r.reasons[0] ?? "", /expired 10 min ago/);
  });
});
