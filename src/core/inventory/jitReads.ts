import { type AzureContext, callAzure } from "../azure/azureContext";
import { collect } from "./concurrency";
import { jitPolicyFromAzure } from "./normalize";
import type { JitPolicyRecord } from "./types";

/** Every JIT policy of a subscription (one list call; the policy carries its open requests, §3). */
export async function listJitPolicies(ctx: AzureContext, tenantId: string, subscriptionId: string, signal?: AbortSignal): Promise<JitPolicyRecord[]> {
  const items = await callAzure(ctx, `list the JIT policies of subscription ${subscriptionId}`, () => collect(ctx.clients.security(tenantId, subscriptionId).jitNetworkAccessPolicies.list({ abortSignal: signal })));
  return items.map(jitPolicyFromAzure).filter((p): p is JitPolicyRecord => p !== undefined);
}

/** One JIT policy, fresh (to see a request turn from Initiating to Initiated). */
export async function getJitPolicy(ctx: AzureContext, tenantId: string, policy: Pick<JitPolicyRecord, "subscriptionId" | "resourceGroup" | "location" | "name">, signal?: AbortSignal): Promise<JitPolicyRecord | undefined> {
  const raw = await callAzure(ctx, `read the JIT policy ${policy.name} of resource group ${policy.resourceGroup}`, () =>
    ctx.clients.security(tenantId, policy.subscriptionId).jitNetworkAccessPolicies.get(policy.resourceGroup, policy.location, policy.name, { abortSignal: signal }),
  );
  return jitPolicyFromAzure(raw);
}
