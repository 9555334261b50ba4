import { armIdKey } from "../azure/armIds";
import { type AzureContext, callAzure } from "../azure/azureContext";
import { restErrorInfo } from "../azure/azureErrors";
import { describeDuration } from "../azure/isoDuration";
import { JitError, isJitError } from "../errors";
import { prefixCovers } from "../inventory/cidr";
import { getJitPolicy } from "../inventory/jitReads";
import type { JitPolicyRecord, JitRequestRecord } from "../inventory/types";

/** Defender for Cloud JIT requests (azure-protocols §3). */

export interface JitOpenInput {
  tenantId: string;
  policy: Pick<JitPolicyRecord, "subscriptionId" | "resourceGroup" | "location" | "name">;
  vmId: string;
  vmName: string;
  port: number;
  /** The Bastion subnet prefix: Bastion, not the user's machine, connects to the VM. */
  sourcePrefix: string;
  /** Requested end; JIT has no duration field, only `endTimeUtc` (≤ now + maxRequestAccessDuration). */
  endsAt: number;
  justification?: string;
}

export interface JitInitiated {
  status: string;
  startedAt?: number;
  endsAt: number;
}

/**
 * Sends `initiate`. A 403 right after a PIM activation usually means the new role has not reached
 * Azure's RBAC caches yet; it is reported as JitForbidden so the flow can retry.
 */
export async function initiateJit(ctx: AzureContext, input: JitOpenInput, signal?: AbortSignal): Promise<JitInitiated> {
  try {
    const result = await callAzure(ctx, `request JIT access to ${input.vmName}`, () =>
      ctx.clients.security(input.tenantId, input.policy.subscriptionId).jitNetworkAccessPolicies.initiate(
        input.policy.resourceGroup,
        input.policy.location,
        input.policy.name,
        {
          virtualMachines: [{ id: input.vmId, ports: [{ number: input.port, allowedSourceAddressPrefix: input.sourcePrefix, endTimeUtc: new Date(input.endsAt) }] }],
          justification: input.justification,
        },
        { abortSignal: signal },
      ),
    );
    const port = result.virtualMachines.find((v) => armIdKey(v.id) === armIdKey(input.vmId))?.ports.find((p) => p.number === input.port);
    return { status: port?.status ?? "Initiating", startedAt: result.startTimeUtc?.getTime(), endsAt: port?.endTimeUtc?.getTime() ?? input.endsAt };
  } catch (e) {
    if (!isJitError(e)) throw e;
    const info = restErrorInfo(e.cause);
    if (info?.statusCode === 403) {
      throw new JitError("JitForbidden", `You may not request JIT access to ${input.vmName} yet: Azure refused (${info.code ?? "403"}). A role activated moments ago can take a little while to apply; if it persists, check that your role includes the JIT "initiate" permission.`, { cause: e.cause, details: e.details });
    }
    if (info?.statusCode === 404) {
      throw new JitError("NoJitPolicy", `The JIT policy ${input.policy.name} that covered ${input.vmName} no longer exists. Refresh the VM list; ask a security administrator to enable JIT for the VM.`, { cause: e.cause });
    }
    if (info?.statusCode === 400) {
      throw new JitError("JitRequestFailed", `Defender for Cloud refused the JIT request for port ${input.port} on ${input.vmName} until ${new Date(input.endsAt).toISOString()}: ${info.message}`, { cause: e.cause });
    }
    throw e;
  }
}

/** The request of ours that is open: Initiated, on our port, covering our source, ending about when we asked. */
export function findOpenRequest(policy: JitPolicyRecord, input: Pick<JitOpenInput, "vmId" | "port" | "sourcePrefix" | "endsAt">, now: number): JitRequestRecord | undefined {
  return policy.requests
    .filter((r) => armIdKey(r.vmId) === armIdKey(input.vmId) && r.port === input.port && r.status.toLowerCase() === "initiated" && r.endsAt > now)
    .filter((r) => r.sourcePrefixes.some((p) => prefixCovers(p, input.sourcePrefix)))
    // Our request ends (within a minute of rounding) when we asked; an older one ends earlier.
    .filter((r) => r.endsAt >= input.endsAt - 60_000)
    .sort((a, b) => b.endsAt - a.endsAt)[0];
}

/** Reads the policy once and returns our open request, if it is open yet. */
export async function probeJitOpen(ctx: AzureContext, input: JitOpenInput, signal?: AbortSignal): Promise<JitRequestRecord | undefined> {
  const policy = await getJitPolicy(ctx, input.tenantId, input.policy, signal);
  return policy ? findOpenRequest(policy, input, ctx.clock.now()) : undefined;
}

export function jitTimeoutMessage(vmName: string, waitedMs: number): string {
  return `The JIT request for ${vmName} was accepted but the port did not open within ${describeDuration(waitedMs)}. Check the VM's network security group in the portal, then request access again.`;
}
