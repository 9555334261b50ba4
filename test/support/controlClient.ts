/**
 * Typed client for the simulator's control API (`/_sim/...`), for a simulator in this process
 * (tests) or in another one (benchmarks, the demo). Kept free of the simulator's runtime so that
 * importing it does not load the simulator.
 */
import type { VmInfo } from "../../simulator/src/dataplane/vmFleet";

export interface SignInOptions {
  /** Complete MFA during sign-in (default false). */
  mfa?: boolean;
  deviceCompliant?: boolean;
  location?: string;
  /** Tenant of the credential (default "organizations": the user's home tenant). */
  tenantId?: string;
  /** Decline instead of approving. */
  deny?: boolean;
}

export interface ApproveDeviceCodeInput extends Omit<SignInOptions, "tenantId"> {
  userCode: string;
  upn: string;
}

export interface AuditRecord {
  seq: number;
  time: string;
  service: string;
  method: string;
  path: string;
  status: number;
  principal?: string;
  detail?: string;
  /** The raw path when the client sent a run of slashes. */
  nonCanonicalPath?: string;
}

/** The audit entries that raise privilege: a PIM activation request (PUT) or a JIT initiate (POST). */
export function privilegedRequests(entries: readonly AuditRecord[]): AuditRecord[] {
  return entries.filter((e) => (e.method === "PUT" && /roleAssignmentScheduleRequests/i.test(e.path)) || (e.method === "POST" && /jitNetworkAccessPolicies\/[^/]+\/initiate/i.test(e.path)));
}

export interface PimRequestSummary {
  name: string;
  status: string;
  requestType: string;
  scope: string;
  role: string;
  principalId: string;
  requestor: string;
  justification: string | null;
  ticketNumber: string | null;
  /** As the client sent them (null when absent). */
  linkedRoleEligibilityScheduleId: string | null;
  sentStartDateTime: string | null;
}

/** A VM as `GET /_sim/vms` lists it. */
export type VmSummary = VmInfo;

export interface FaultInput {
  match: { service?: string; method?: string; pathRegex?: string };
  latencyMs?: number;
  status?: number;
  retryAfterSeconds?: number;
  count?: number;
  dropWebSocketAfterBytes?: number;
  /** Rewrites a JSON answer's `nextLink` to this origin (a hostile or broken service). */
  nextLinkOrigin?: string;
}

export class ControlApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`control API answered ${status}: ${JSON.stringify(body)}`);
  }
}

/** Typed client for the simulator's control API (`/_sim/...`). */
export class ControlClient {
  constructor(readonly baseUrl: string) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new ControlApiError(res.status, parsed);
    return parsed as T;
  }

  health(): Promise<{ status: string; scenario: string; now: string }> {
    return this.call("GET", "/_sim/health");
  }
  state(): Promise<Record<string, unknown>> {
    return this.call("GET", "/_sim/state");
  }
  async now(): Promise<Date> {
    return new Date((await this.call<{ now: string }>("GET", "/_sim/clock")).now);
  }
  async advanceClock(seconds: number): Promise<Date> {
    return new Date((await this.call<{ now: string }>("POST", "/_sim/clock", { advanceSeconds: seconds })).now);
  }
  approveDeviceCode(input: ApproveDeviceCodeInput): Promise<{ approved: boolean }> {
    return this.call("POST", "/_sim/devicecode/approve", input);
  }
  async pimRequests(status?: string): Promise<PimRequestSummary[]> {
    return (await this.call<{ value: PimRequestSummary[] }>("GET", `/_sim/pim/requests${status ? `?status=${encodeURIComponent(status)}` : ""}`)).value;
  }
  approvePim(name: string, justification?: string): Promise<PimRequestSummary> {
    return this.call("POST", `/_sim/pim/requests/${encodeURIComponent(name)}/approve`, { justification });
  }
  denyPim(name: string, justification?: string): Promise<PimRequestSummary> {
    return this.call("POST", `/_sim/pim/requests/${encodeURIComponent(name)}/deny`, { justification });
  }
  /** An administrator's time-bound active assignment (SelfExtend/SelfRenew apply to it). */
  adminAssignPim(input: { principalId: string; tenantId: string; roleGuid: string; scope: string; endsInSeconds: number }): Promise<{ name: string; endDateTime: string }> {
    return this.call("POST", "/_sim/pim/assignments", input);
  }
  async vms(): Promise<VmSummary[]> {
    return (await this.call<{ value: VmSummary[] }>("GET", "/_sim/vms")).value;
  }
  async vm(name: string): Promise<VmSummary> {
    const vm = (await this.vms()).find((v) => v.name === name);
    if (!vm) throw new Error(`no VM ${name}`);
    return vm;
  }
  setPower(vmName: string, state: "running" | "stopped" | "deallocated"): Promise<VmSummary> {
    return this.call("POST", `/_sim/vms/${encodeURIComponent(vmName)}/power`, { state });
  }
  /** Graph's revokeSignInSessions for a user: refresh tokens and (with CAE) access tokens from before stop working. */
  revokeSignInSessions(upn: string): Promise<{ value: boolean; signInSessionsValidFromDateTime: string }> {
    return this.call("POST", `/_sim/users/${encodeURIComponent(upn)}/revokeSignInSessions`, {});
  }
  /** The VM rebuilt from its image: its sshd comes back with a new host key. */
  rebuildVm(vmName: string): Promise<VmSummary> {
    return this.call("POST", `/_sim/vms/${encodeURIComponent(vmName)}/rebuild`, {});
  }
  async addFault(fault: FaultInput): Promise<string> {
    return (await this.call<{ id: string }>("POST", "/_sim/faults", fault)).id;
  }
  async clearFaults(id?: string): Promise<void> {
    await this.call("DELETE", id ? `/_sim/faults/${encodeURIComponent(id)}` : "/_sim/faults");
  }
  async audit(since = 0): Promise<AuditRecord[]> {
    return (await this.call<{ value: AuditRecord[] }>("GET", `/_sim/audit?since=${since}`)).value;
  }
  async lastAuditSeq(): Promise<number> {
    const all = await this.audit(0);
    return all.length === 0 ? 0 : (all[all.length - 1]?.seq ?? 0);
  }
  /** Activates `upn`'s role on the VM outside the extension, as the portal would (PIM rules apply). */
  portalActivate(upn: string, vm: string, options: { hours?: number; justification?: string } = {}): Promise<{ name: string; status: string; scope: string }> {
    return this.call("POST", "/_sim/portal/activate", { upn, vm, ...options });
  }
  /** Deactivates `upn`'s role on the VM outside the extension (PIM's 5-minute rule applies). */
  portalDeactivate(upn: string, vm: string): Promise<{ name: string; status: string }> {
    return this.call("POST", "/_sim/portal/deactivate", { upn, vm });
  }
  /** Opens JIT on the VM outside the extension (default: port 22 from the Bastion subnet). */
  portalJit(upn: string, vm: string, options: { hours?: number; port?: number; sourcePrefix?: string } = {}): Promise<{ vm: string; port: number; sourcePrefix: string; endTimeUtc: string }> {
    return this.call("POST", "/_sim/portal/jit", { upn, vm, ...options });
  }
  armCaeChallenge(count = 1): Promise<{ armed: number }> {
    return this.call("POST", "/_sim/cae", { count });
  }
}
