import type { Grant } from "./grant";
import { grantExpiry } from "./grant";
import type { AccessRecord, AccessRequestContext } from "./grantStore";
import { JitError } from "../errors";
import { awaitJitOpen, initiateJitWithRetry } from "./flowSteps";
import { probeJitOpen, type JitOpenInput } from "./jit";
import { auditBase, type MachineKernel, mustRequest, type RunContext } from "./machineKernel";

/** The JIT step: open port 22 from the Bastion subnet until the role's end, then wait for it. */

export function jitInput(req: AccessRequestContext, endsAt: number): JitOpenInput {
  return { tenantId: req.tenantId, policy: req.jitPolicy, vmId: req.vmId, vmName: req.vmName, port: req.port, sourcePrefix: req.sourcePrefix, endsAt, justification: req.justification };
}

export async function openJit(k: MachineKernel, rec: AccessRecord, run: RunContext, signal?: AbortSignal): Promise<void> {
  const req = mustRequest(rec);
  const now = k.ctx.clock.now();
  if (run.resumed && req.jitEndsAt !== undefined) {
    // The request may have been sent just before the restart.
    const open = await probeJitOpen(k.ctx, jitInput(req, req.jitEndsAt), signal);
    if (open) {
      await k.setState(rec.vmId, rec.vmName, { kind: "waitingForJit", requestedAt: req.jitStartedAt ?? now });
      return;
    }
  }
  const endsAt = Math.min(now + req.durationMs, req.roleEndsAt ?? Number.MAX_SAFE_INTEGER);
  if (endsAt - now < 60_000) throw new JitError("RoleNotActive", `The role for ${rec.vmName} ends in less than a minute, too soon to open JIT access. Request access again once it has ended.`);
  const initiated = await initiateJitWithRetry(k.ctx, jitInput(req, endsAt), k.timing, signal);
  await k.audit({ type: "jitInitiated", ...auditBase(req), jitPolicyId: req.jitPolicy.id, port: req.port, sourcePrefix: req.sourcePrefix, endsAt: new Date(initiated.endsAt).toISOString(), detail: `JIT status ${initiated.status}` });
  await k.setState(rec.vmId, rec.vmName, { kind: "waitingForJit", requestedAt: now }, { request: { ...req, jitStartedAt: initiated.startedAt ?? now, jitEndsAt: initiated.endsAt } });
}

export async function awaitJit(k: MachineKernel, rec: AccessRecord, signal?: AbortSignal): Promise<Grant> {
  const req = mustRequest(rec);
  const open = await awaitJitOpen(k.ctx, jitInput(req, req.jitEndsAt ?? k.ctx.clock.now()), k.timing, signal);
  const grant: Grant = {
    vmId: req.vmId,
    vmName: req.vmName,
    tenantId: req.tenantId,
    subscriptionId: req.subscriptionId,
    roleAssignment: { requestName: req.requestName ?? "", scope: req.scope, roleDefinitionId: req.roleDefinitionId, roleName: req.roleName, startsAt: req.roleStartsAt, endsAt: req.roleEndsAt, reused: req.reusedRole },
    jit: { policyId: req.jitPolicy.id, requestStart: open.startedAt ?? req.jitStartedAt ?? k.ctx.clock.now(), endsAt: open.endsAt, port: req.port, sourcePrefix: req.sourcePrefix },
    expiresAt: grantExpiry(req.roleEndsAt, open.endsAt),
    justification: req.justification,
    ticket: req.ticket,
    grantedAt: k.ctx.clock.now(),
  };
  await k.setState(rec.vmId, rec.vmName, { kind: "granted", grant }, { grant });
  await k.audit({ type: "accessGranted", ...auditBase(req), requestName: req.requestName, jitPolicyId: req.jitPolicy.id, port: req.port, sourcePrefix: req.sourcePrefix, endsAt: new Date(grant.expiresAt).toISOString() });
  return grant;
}
