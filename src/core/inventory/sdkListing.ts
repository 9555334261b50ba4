import { armIdKey } from "../azure/armIds";
import { type AzureContext, callAzure } from "../azure/azureContext";
import { collect } from "./concurrency";
import { bastionFromAzure, nicFromAzure, powerStateFromCode, vmFromAzure, vnetFromAzure } from "./normalize";
import type { BastionRecord, NicRecord, VmRecord, VnetRecord } from "./types";

/** The network and VM records of one subscription. */
export interface SubscriptionResources {
  vms: VmRecord[];
  nics: NicRecord[];
  vnets: VnetRecord[];
  bastions: BastionRecord[];
}

/**
 * The fallback when Resource Graph is unavailable (not registered, blocked, or turned off in
 * settings): five list calls per subscription with the resource-provider SDKs. Still independent of
 * the number of VMs: `statusOnly=true` returns every VM's power state in one list (§4.1).
 */
export async function listSubscriptionResources(ctx: AzureContext, tenantId: string, subscriptionId: string, signal?: AbortSignal): Promise<SubscriptionResources> {
  const what = `subscription ${subscriptionId}`;
  const [models, statuses, nics, vnets, bastions] = await Promise.all([
    callAzure(ctx, `list the VMs of ${what}`, () => collect(ctx.clients.compute(tenantId, subscriptionId).virtualMachines.listAll({ abortSignal: signal }))),
    callAzure(ctx, `read the VM power states of ${what}`, () => collect(ctx.clients.compute(tenantId, subscriptionId).virtualMachines.listAll({ statusOnly: "true", abortSignal: signal }))),
    callAzure(ctx, `list the network interfaces of ${what}`, () => collect(ctx.clients.network(tenantId, subscriptionId).networkInterfaces.listAll({ abortSignal: signal }))),
    callAzure(ctx, `list the virtual networks of ${what}`, () => collect(ctx.clients.network(tenantId, subscriptionId).virtualNetworks.listAll({ abortSignal: signal }))),
    callAzure(ctx, `list the Bastion hosts of ${what}`, () => collect(ctx.clients.network(tenantId, subscriptionId).bastionHosts.list({ abortSignal: signal }))),
  ]);
  const power = new Map<string, string>();
  for (const s of statuses) {
    const code = s.instanceView?.statuses?.map((x) => x.code).find((c) => c?.toLowerCase().startsWith("powerstate/"));
    if (s.id && code) power.set(armIdKey(s.id), code);
  }
  const vms = models.flatMap((m) => {
    const vm = vmFromAzure(m);
    if (!vm) return [];
    const code = power.get(armIdKey(vm.id));
    return [{ ...vm, subscriptionId, powerState: code ? powerStateFromCode(code) : vm.powerState }];
  });
  return {
    vms,
    nics: nics.map(nicFromAzure).filter((n): n is NicRecord => n !== undefined),
    vnets: vnets.map(vnetFromAzure).filter((v): v is VnetRecord => v !== undefined),
    bastions: bastions.map(bastionFromAzure).filter((b): b is BastionRecord => b !== undefined),
  };
}
