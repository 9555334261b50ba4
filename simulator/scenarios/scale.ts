/**
 * The scale scenario: a generated world for benchmarks (default 10,000 VMs over 200
 * subscriptions with 2,000 PIM eligibilities). VMs have no credential and no sshd; the point is
 * inventory at scale: Resource Graph paging, PIM listing, JIT policies.
 */
// "../src/*" in the simulator lint block targets the product's src/, not simulator/src (change requested).
import type { Scenario } from "../src/scenario/schema";

export interface ScaleOptions {
  vms?: number;
  subscriptions?: number;
  eligibilities?: number;
  /** The user that gets the eligibilities (and Reader on every subscription). */
  upn?: string;
}

export function generateScaleScenario(o: ScaleOptions = {}): Scenario {
  const vmCount = o.vms ?? 10_000;
  const subCount = o.subscriptions ?? 200;
  const eligCount = o.eligibilities ?? 2_000;
  const upn = o.upn ?? "alice@contoso.example";
  const subs = Array.from({ length: subCount }, (_, i) => `Scale Sub ${String(i + 1).padStart(3, "0")}`);
  const perSub = Math.ceil(vmCount / subCount);
  const scenario: Scenario = {
    name: "scale",
    description: `${vmCount} VMs over ${subCount} subscriptions, ${eligCount} eligibilities.`,
    simulation: { armPageSize: 1000 },
    tenants: [{ name: "Contoso", domain: "contoso.example" }],
    users: [{ upn, tenant: "Contoso", displayName: "Alice Example" }],
    subscriptions: subs.map((name) => ({ name, tenant: "Contoso" })),
    roleDefinitions: [{ name: "JIT VM Operator", actions: ["Microsoft.Security/locations/jitNetworkAccessPolicies/initiate/action", "*/read"] }],
    roleAssignments: subs.map((s) => ({ principal: upn, role: "Reader", scope: `/subscriptions/${s}` })),
    virtualNetworks: subs.map((s, i) => ({
      name: `vnet-${i}`,
      subscription: s,
      resourceGroup: "rg-network",
      addressPrefixes: [`10.${i % 250}.0.0/16`],
      subnets: [{ name: "AzureBastionSubnet", addressPrefix: `10.${i % 250}.255.0/26` }, ...Array.from({ length: 4 }, (_, k) => ({ name: `snet-${k}`, addressPrefix: `10.${i % 250}.${k * 64}.0/18` }))],
    })),
    bastions: [{ name: "bas-scale", subscription: subs[0]!, resourceGroup: "rg-network", virtualNetwork: "vnet-0", sku: "Standard", enableTunneling: true }],
    virtualMachines: [],
    eligibilities: [],
    jitPolicies: [],
  };
  for (let i = 0; i < vmCount; i++) {
    const s = Math.floor(i / perSub);
    scenario.virtualMachines!.push({
      name: `vm-${String(i).padStart(5, "0")}`,
      subscription: subs[s]!,
      resourceGroup: `rg-${Math.floor((i % perSub) / 10)}`,
      virtualNetwork: `vnet-${s}`,
      subnet: `snet-${i % 4}`,
      power: i % 7 === 0 ? "deallocated" : "running",
      osType: i % 13 === 0 ? "Windows" : "Linux",
      adminUsername: "azureuser",
    });
  }
  // Eligibilities at resource-group scope, spread over the subscriptions.
  const rgsPerSub = Math.ceil(perSub / 10);
  for (let e = 0; e < eligCount; e++) {
    const s = e % subCount;
    const rg = Math.floor(e / subCount) % rgsPerSub;
    scenario.eligibilities!.push({ principal: upn, role: "JIT VM Operator", scope: `/subscriptions/${subs[s]}/resourceGroups/rg-${rg}` });
  }
  return scenario;
}
