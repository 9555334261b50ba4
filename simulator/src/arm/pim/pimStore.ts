/**
 * PIM state and enforcement (§2.4–§2.8). Modelled from documentation: eligibility schedules and
 * instances; SelfActivate with the ExpirationRule, JustificationRule, TicketingRule, MfaRule
 * (token `amr` contains "mfa") and EligibilityRule aggregated into one 400
 * RoleAssignmentRequestPolicyValidationFailed; authentication context (token `acrs` must contain
 * the rule's claimValue, else RoleAssignmentRequestAcrsValidationFailed carrying the URL-encoded
 * claims request, §2.7); RoleAssignmentExists; approval (PendingApproval until approved/denied);
 * deactivation refused within 5 minutes of activation (documented; the code ActiveDurationTooShort
 * is from 3rd-party code); expiry on the simulated clock.
 * Extend and renew (FIDELITY.md, "PIM and Entra"): PIM documents them for time-bound assignments
 * an administrator granted, not for activations: SelfExtend when such an assignment ends within
 * 14 days, SelfRenew when it expired within the last 30 days; both wait for an admin decision.
 * SelfExtend naming an activation is refused with a code of our own (the real one is unknown).
 * Guesses (UNVERIFIED): status codes other than 400/201; check order (principal, role, policy
 * rules, existing assignment, pending request, authentication context); a provisioning delay
 * shows as PendingProvisioning. Deactivation's final status is Revoked.
 */
import { HttpError } from "../../http/errors";
import { path, prop, str } from "../../util/caseInsensitive";
import { parseIsoDuration } from "../../util/duration";
import { idKey, newGuid, stableGuid } from "../../util/ids";
import type { EligibilityModel, LoadedScenario, PimPolicyModel } from "../../scenario/resolve";
import type { RoleAssignmentModel } from "../../world/model";
import type { Caller, Rbac } from "../../world/rbac";
import { effectivePolicy } from "./pimPolicy";
import { ScopeLineage } from "../../world/scopeLineage";

/** A role held (eligible or active) by a principal at a scope, for a time window. */
export interface EligibilitySchedule {
  name: string;
  instanceName: string;
  scope: string;
  roleGuid: string;
  principalId: string;
  principalType: "User" | "ServicePrincipal";
  tenantId: string;
  start: number;
  end: number;
}

export interface AssignmentSchedule extends EligibilitySchedule {
  createdOn: number;
  linkedEligibilityScheduleId?: string;
  linkedEligibilityInstanceId?: string;
  requestName: string;
  revokedAt?: number;
  /** "adminAssigned": a time-bound active assignment an administrator granted (extend/renew apply). */
  origin: "activated" | "adminAssigned";
}

export type RequestType = "SelfActivate" | "SelfDeactivate" | "SelfExtend" | "SelfRenew";

export interface ScheduleRequest {
  name: string;
  scope: string;
  roleGuid: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: "User" | "ServicePrincipal";
  tenantId: string;
  requestType: RequestType;
  justification?: string;
  ticketInfo: { ticketNumber?: string; ticketSystem?: string };
  scheduleInfo: { startDateTime: string; expiration: { type: string; duration?: string; endDateTime?: string } };
  linkedRoleEligibilityScheduleId?: string;
  /** `scheduleInfo.startDateTime` as the client sent it (the control API shows it). */
  sentStartDateTime?: string;
  requestorId: string;
  requestorName: string;
  createdOn: number;
  durationMs: number;
  approval: "none" | "pending" | "approved" | "denied" | "canceled";
  decisionJustification?: string;
  /** When the change takes effect (after approval and provisioning delay). */
  effectiveAt?: number;
  targetScheduleName?: string;
  result: "activate" | "deactivate" | "extend" | "renew";
}

export type RequestStatus = "PendingApproval" | "PendingProvisioning" | "Provisioned" | "Revoked" | "Denied" | "Canceled" | "Granted" | "PendingEvaluation" | "PendingAdminDecision";

const MIN_ACTIVE_BEFORE_DEACTIVATE_MS = 5 * 60_000;
/** entra-docs pim-resource-roles-renew-extend.md: extension requests within 14 days of the end, renewal within 30 days after it. */
const EXTEND_WINDOW_MS = 14 * 86400_000;
const RENEW_WINDOW_MS = 30 * 86400_000;

export class PimStore {
  readonly eligibilities: EligibilitySchedule[] = [];
  readonly assignments: AssignmentSchedule[] = [];
  readonly requests: ScheduleRequest[] = [];
  private readonly policies: PimPolicyModel[];

  private readonly lineage: ScopeLineage;

  constructor(
    scenario: LoadedScenario,
    private readonly now: () => number,
    private readonly rbac: () => Rbac,
    private readonly provisioningMs: number,
  ) {
    this.policies = scenario.pimPolicies;
    this.lineage = new ScopeLineage(scenario.managementGroups, scenario.subscriptions);
    for (const e of scenario.eligibilities) this.addEligibility(e, scenario);
  }

  private addEligibility(e: EligibilityModel, scenario: LoadedScenario): void {
    const sched: EligibilitySchedule = {
      name: stableGuid("elig", e.scope.toLowerCase(), e.roleGuid, e.principalId),
      instanceName: stableGuid("elig-inst", e.scope.toLowerCase(), e.roleGuid, e.principalId),
      scope: e.scope,
      roleGuid: e.roleGuid,
      principalId: e.principalId,
      principalType: e.principalType,
      tenantId: e.tenantId,
      start: e.start,
      end: e.end,
    };
    this.eligibilities.push(sched);
    if (e.activeHours) {
      // Pre-activated (the "ready" VM): started 10 minutes ago so that deactivation works at once.
      const start = this.now() - 10 * 60_000;
      const req: ScheduleRequest = {
        name: stableGuid("pre-activation", sched.name),
        scope: e.scope,
        roleGuid: e.roleGuid,
        roleDefinitionId: roleDefinitionId(e.scope, e.roleGuid),
        principalId: e.principalId,
        principalType: e.principalType,
        tenantId: e.tenantId,
        requestType: "SelfActivate",
        justification: `Pre-activated by scenario ${scenario.name}`,
        ticketInfo: {},
        scheduleInfo: { startDateTime: new Date(start).toISOString(), expiration: { type: "AfterDuration", duration: `PT${Math.round(e.activeHours * 60)}M` } },
        linkedRoleEligibilityScheduleId: eligibilityScheduleId(sched),
        requestorId: e.principalId,
        requestorName: "",
        createdOn: start,
        durationMs: e.activeHours * 3600_000,
        approval: "none",
        effectiveAt: start,
        result: "activate",
      };
      this.requests.push(req);
      this.createAssignment(req, sched, start);
    }
  }

  policyFor(scope: string, roleGuid: string): Omit<PimPolicyModel, "scope" | "roleGuid"> {
    return effectivePolicy(this.policies, scope, roleGuid);
  }

  eligibilityActive(e: EligibilitySchedule, now = this.now()): boolean {
    return e.start <= now && now < e.end;
  }

  assignmentActive(a: AssignmentSchedule, now = this.now()): boolean {
    return a.start <= now && now < a.end && a.revokedAt === undefined;
  }

  /** PIM-activated assignments in effect now, as RBAC sees them. */
  activeRoleAssignments(principalId: string): RoleAssignmentModel[] {
    const now = this.now();
    const pid = principalId.toLowerCase();
    return this.assignments
      .filter((a) => a.principalId.toLowerCase() === pid && this.assignmentActive(a, now))
      .map((a) => ({ name: a.name, scope: a.scope, roleGuid: a.roleGuid, principalId: a.principalId, principalType: a.principalType, tenantId: a.tenantId }));
  }

  status(r: ScheduleRequest, now = this.now()): RequestStatus {
    if (r.approval === "canceled") return "Canceled";
    if (r.approval === "denied") return "Denied";
    if (r.approval === "pending") return r.result === "extend" || r.result === "renew" ? "PendingAdminDecision" : "PendingApproval";
    if (r.effectiveAt === undefined || now < r.effectiveAt) return "PendingProvisioning";
    return r.result === "deactivate" ? "Revoked" : "Provisioned";
  }

  request(name: string): ScheduleRequest | undefined {
    return this.requests.find((r) => r.name.toLowerCase() === name.toLowerCase());
  }

  /**
   * Validates (and unless `validateOnly`, records) a schedule request from the caller.
   * Throws HttpError with PIM's error codes.
   */
  submit(caller: Caller, scope: string, name: string, body: unknown, validateOnly: boolean): { request: ScheduleRequest; status: RequestStatus } {
    const now = this.now();
    const props = prop(body, "properties") ?? body;
    const requestType = str(prop(props, "requestType")) as RequestType | undefined;
    const principalId = str(prop(props, "principalId")) ?? "";
    const roleDefinitionIdIn = str(prop(props, "roleDefinitionId")) ?? "";
    if (!requestType || !["SelfActivate", "SelfDeactivate", "SelfExtend", "SelfRenew"].includes(requestType)) {
      throw new HttpError(400, "InvalidRoleAssignmentRequest", `The request type '${requestType ?? ""}' is not supported here. Use SelfActivate, SelfDeactivate, SelfExtend or SelfRenew (admin request types need the Microsoft.Authorization/roleAssignments/write permission).`);
    }
    if (principalId.toLowerCase() !== caller.objectId.toLowerCase()) {
      throw new HttpError(403, "AuthorizationFailed", `The client '${caller.name}' with object id '${caller.objectId}' does not have authorization to perform action 'Microsoft.Authorization/roleAssignmentScheduleRequests/write' for principal '${principalId}' over scope '${scope || "/"}'. Self requests must name the caller's own object id.`);
    }
    const role = this.rbac().role(roleDefinitionIdIn);
    if (!role) throw new HttpError(400, "RoleDefinitionDoesNotExist", `The specified role definition with ID '${roleDefinitionIdIn.split("/").pop() ?? ""}' does not exist.`);
    if (this.request(name)) throw new HttpError(409, "RoleAssignmentScheduleRequestExists", `A role assignment schedule request named '${name}' already exists.`);

    const justification = str(prop(props, "justification"));
    const ticketNumber = str(path(props, "ticketInfo.ticketNumber"));
    const ticketSystem = str(path(props, "ticketInfo.ticketSystem"));
    const startText = str(path(props, "scheduleInfo.startDateTime"));
    const expType = str(path(props, "scheduleInfo.expiration.type"));
    const durationText = str(path(props, "scheduleInfo.expiration.duration"));
    const endText = str(path(props, "scheduleInfo.expiration.endDateTime"));
    const linked = str(prop(props, "linkedRoleEligibilityScheduleId"));
    if (linked !== undefined && linked.includes("/")) {
      // The official example (and Az.Resources, which omits it) never send a resource id here.
      throw new HttpError(400, "InvalidRoleAssignmentRequest", `linkedRoleEligibilityScheduleId '${linked}' must be the name (GUID) of the role eligibility schedule, as in the API example.`);
    }
    const startMs = startText ? Date.parse(startText) : now;
    const start = Number.isNaN(startMs) ? now : Math.max(startMs, now);
    let durationMs: number | undefined;
    if (expType?.toLowerCase() === "afterduration" && durationText) durationMs = parseIsoDuration(durationText);
    else if (expType?.toLowerCase() === "afterdatetime" && endText && !Number.isNaN(Date.parse(endText))) durationMs = Date.parse(endText) - start;

    const base: ScheduleRequest = {
      name,
      scope,
      roleGuid: role.guid,
      roleDefinitionId: roleDefinitionIdIn,
      principalId: caller.objectId,
      principalType: caller.kind === "user" ? "User" : "ServicePrincipal",
      tenantId: caller.tenantId,
      requestType,
      justification,
      ticketInfo: { ticketNumber, ticketSystem },
      scheduleInfo: { startDateTime: new Date(start).toISOString(), expiration: { type: expType ?? "AfterDuration", ...(durationText ? { duration: durationText } : {}), ...(endText ? { endDateTime: endText } : {}) } },
      linkedRoleEligibilityScheduleId: linked,
      sentStartDateTime: startText,
      requestorId: caller.objectId,
      requestorName: caller.name,
      createdOn: now,
      durationMs: durationMs ?? 0,
      approval: "none",
      result: requestType === "SelfDeactivate" ? "deactivate" : requestType === "SelfExtend" ? "extend" : requestType === "SelfRenew" ? "renew" : "activate",
    };
    const policy = this.policyFor(scope, role.guid);
    const active = this.activeSchedule(caller.objectId, role.guid, scope);

    if (requestType === "SelfDeactivate") {
      if (!active) throw new HttpError(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.");
      if (now - active.start < MIN_ACTIVE_BEFORE_DEACTIVATE_MS) {
        throw new HttpError(400, "ActiveDurationTooShort", "The Active duration is too short. Miniumum Required is 5 minutes.");
      }
      base.targetScheduleName = active.name;
      if (!validateOnly) {
        base.effectiveAt = now;
        active.revokedAt = now;
        active.end = Math.min(active.end, now);
        this.requests.push(base);
      }
      return { request: base, status: validateOnly ? "Granted" : this.status(base) };
    }

    if (requestType === "SelfExtend" || requestType === "SelfRenew") return this.extendOrRenew(base, policy, active, validateOnly);
    const failed: string[] = [];
    const eligibility = this.findEligibility(caller.objectId, role.guid, scope, linked);
    if (!eligibility) failed.push("EligibilityRule");
    if (durationMs === undefined || durationMs <= 0 || durationMs > policy.maximumDurationMs) failed.push("ExpirationRule");
    if (policy.requireJustification && !(justification && justification.trim())) failed.push("JustificationRule");
    if (policy.requireTicket && !(ticketNumber && ticketNumber.trim())) failed.push("TicketingRule");
    if (policy.requireMfa && !caller.amr.map((a) => a.toLowerCase()).includes("mfa")) failed.push("MfaRule");
    if (failed.length > 0) {
      throw new HttpError(400, "RoleAssignmentRequestPolicyValidationFailed", `The following policy rules failed: ${JSON.stringify(failed)}`);
    }
    if (active || this.scheduledSchedule(caller.objectId, role.guid, scope)) throw new HttpError(400, "RoleAssignmentExists", "The Role assignment already exists.");
    if (this.requests.some((r) => r.approval === "pending" && r.principalId === caller.objectId && r.roleGuid === role.guid && idKey(r.scope) === idKey(scope))) {
      throw new HttpError(400, "PendingRoleAssignmentRequest", "There is already an existing pending Role assignment request.");
    }
    if (policy.authenticationContext && !caller.acrs.includes(policy.authenticationContext)) {
      const claims = `{"access_token":{"acrs":{"essential":true, "value":"${policy.authenticationContext}"}}}`;
      throw new HttpError(400, "RoleAssignmentRequestAcrsValidationFailed", `&claims=${encodeURIComponent(claims)}`);
    }
    const needsApproval = policy.requireApproval;
    if (validateOnly) return { request: base, status: needsApproval ? "PendingEvaluation" : "Granted" };
    if (needsApproval) {
      base.approval = "pending";
      this.requests.push(base);
      return { request: base, status: this.status(base) };
    }
    this.requests.push(base);
    this.fulfil(base, eligibility);
    return { request: base, status: this.status(base) };
  }

  /**
   * SelfExtend / SelfRenew: only for a time-bound assignment an administrator granted, extended when
   * it ends within 14 days, renewed when it expired within the last 30; an admin decides (there is
   * no self-service path, and approval of extend/renew is not supported through ARM, so the request
   * waits for the control API's decision). An activation is refused.
   */
  private extendOrRenew(base: ScheduleRequest, policy: Omit<PimPolicyModel, "scope" | "roleGuid">, active: AssignmentSchedule | undefined, validateOnly: boolean): { request: ScheduleRequest; status: RequestStatus } {
    const now = this.now();
    const mine = (a: AssignmentSchedule): boolean => a.principalId.toLowerCase() === base.principalId.toLowerCase() && a.roleGuid === base.roleGuid && idKey(a.scope) === idKey(base.scope) && a.revokedAt === undefined;
    let target: AssignmentSchedule | undefined;
    if (base.requestType === "SelfExtend") {
      if (active && active.origin === "activated") {
        throw new HttpError(400, "SimulatedSelfExtendOfActivationRefused", "Simulated refusal (the real error code is not documented): an activation cannot be extended. Only a time-bound assignment granted by an administrator can be, and an administrator decides. Activate again when this activation ends.");
      }
      target = this.assignments.find((a) => mine(a) && a.origin === "adminAssigned" && this.assignmentActive(a, now));
      if (!target) throw new HttpError(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.");
      if (target.end - now > EXTEND_WINDOW_MS) throw new HttpError(400, "SimulatedExtendTooEarly", "Simulated refusal (the real error code is not documented): an extension can be requested only within 14 days of the assignment's end.");
    } else {
      if (active) throw new HttpError(400, "RoleAssignmentExists", "The Role assignment already exists.");
      target = this.assignments.filter((a) => mine(a) && a.origin === "adminAssigned" && a.end <= now && now - a.end <= RENEW_WINDOW_MS).sort((a, b) => b.end - a.end)[0];
      if (!target) throw new HttpError(400, "InvalidRoleAssignmentRequest", "SelfRenew applies only to an assignment granted by an administrator that expired within the last 30 days.");
    }
    const failed: string[] = [];
    if (base.durationMs <= 0) failed.push("ExpirationRule");
    if (policy.requireJustification && !(base.justification && base.justification.trim())) failed.push("JustificationRule");
    if (failed.length > 0) throw new HttpError(400, "RoleAssignmentRequestPolicyValidationFailed", `The following policy rules failed: ${JSON.stringify(failed)}`);
    if (this.requests.some((r) => r.approval === "pending" && r.principalId === base.principalId && r.roleGuid === base.roleGuid && idKey(r.scope) === idKey(base.scope))) {
      throw new HttpError(400, "PendingRoleAssignmentRequest", "There is already an existing pending Role assignment request.");
    }
    base.targetScheduleName = target.name;
    if (validateOnly) return { request: base, status: "PendingAdminDecision" };
    base.approval = "pending";
    this.requests.push(base);
    return { request: base, status: this.status(base) };
  }

  private fulfil(r: ScheduleRequest, eligibility: EligibilitySchedule | undefined): void {
    const now = this.now();
    const effective = Math.max(now, Date.parse(r.scheduleInfo.startDateTime) || now) + this.provisioningMs;
    r.effectiveAt = effective;
    const target = this.assignments.find((a) => a.name === r.targetScheduleName);
    if (r.result === "extend") {
      if (target) target.end = Math.max(target.end, effective + r.durationMs);
      return;
    }
    if (r.result === "renew") {
      this.createAssignment(r, undefined, effective, "adminAssigned");
      return;
    }
    const elig = eligibility ?? this.findEligibility(r.principalId, r.roleGuid, r.scope, r.linkedRoleEligibilityScheduleId);
    this.createAssignment(r, elig, effective);
  }

  /** World set-up (scenario tools, tests): a time-bound active assignment granted by an administrator. */
  adminAssign(input: { principalId: string; principalType?: "User" | "ServicePrincipal"; tenantId: string; roleGuid: string; scope: string; start: number; end: number }): AssignmentSchedule {
    const a: AssignmentSchedule = {
      name: newGuid(),
      instanceName: newGuid(),
      scope: input.scope,
      roleGuid: input.roleGuid,
      principalId: input.principalId,
      principalType: input.principalType ?? "User",
      tenantId: input.tenantId,
      start: input.start,
      end: input.end,
      createdOn: this.now(),
      requestName: newGuid(),
      origin: "adminAssigned",
    };
    this.assignments.push(a);
    return a;
  }

  private createAssignment(r: ScheduleRequest, elig: EligibilitySchedule | undefined, start: number, origin: AssignmentSchedule["origin"] = "activated"): void {
    const a: AssignmentSchedule = {
      name: newGuid(),
      instanceName: newGuid(),
      scope: r.scope,
      roleGuid: r.roleGuid,
      principalId: r.principalId,
      principalType: r.principalType,
      tenantId: r.tenantId,
      start,
      end: start + r.durationMs,
      createdOn: this.now(),
      linkedEligibilityScheduleId: elig ? eligibilityScheduleId(elig) : undefined,
      linkedEligibilityInstanceId: elig ? `${elig.scope}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances/${elig.instanceName}` : undefined,
      requestName: r.name,
      origin,
    };
    r.targetScheduleName = a.name;
    this.assignments.push(a);
  }

  /** Control API: approve or deny a pending request. */
  decide(name: string, approve: boolean, justification?: string): ScheduleRequest {
    const r = this.request(name);
    if (!r) throw new HttpError(404, "RequestNotFound", `No PIM request named '${name}'.`);
    if (r.approval !== "pending") throw new HttpError(400, "RequestNotPending", `Request '${name}' is not pending approval (status ${this.status(r)}).`);
    r.decisionJustification = justification;
    if (!approve) {
      r.approval = "denied";
      return r;
    }
    r.approval = "approved";
    this.fulfil(r, undefined);
    return r;
  }

  cancel(caller: Caller, name: string): void {
    const r = this.request(name);
    if (!r) throw new HttpError(404, "RoleAssignmentScheduleRequestNotFound", `The role assignment schedule request '${name}' was not found.`);
    if (r.requestorId.toLowerCase() !== caller.objectId.toLowerCase()) throw new HttpError(403, "AuthorizationFailed", `Only the requestor can cancel request '${name}'.`);
    if (r.approval !== "pending") throw new HttpError(400, "InvalidRequestState", `Request '${name}' cannot be canceled in status ${this.status(r)}: only pending requests can.`);
    r.approval = "canceled";
  }

  private activeSchedule(principalId: string, roleGuid: string, scope: string): AssignmentSchedule | undefined {
    const now = this.now();
    return this.assignments.find(
      (a) => a.principalId.toLowerCase() === principalId.toLowerCase() && a.roleGuid === roleGuid && idKey(a.scope) === idKey(scope) && this.assignmentActive(a, now),
    );
  }

  /** An activation accepted but not yet effective (provisioning delay or future start). */
  private scheduledSchedule(principalId: string, roleGuid: string, scope: string): AssignmentSchedule | undefined {
    const now = this.now();
    return this.assignments.find((a) => a.principalId.toLowerCase() === principalId.toLowerCase() && a.roleGuid === roleGuid && idKey(a.scope) === idKey(scope) && a.revokedAt === undefined && a.start > now);
  }

  private findEligibility(principalId: string, roleGuid: string, scope: string, linked: string | undefined): EligibilitySchedule | undefined {
    const now = this.now();
    return this.eligibilities.find((e) => {
      if (e.principalId.toLowerCase() !== principalId.toLowerCase() || e.roleGuid !== roleGuid || !this.eligibilityActive(e, now)) return false;
      // An eligibility at a management group covers every scope below it (activation there or at a narrower child scope).
      if (!this.lineage.covers(e.scope, scope)) return false;
      // Absent (Az.Resources' SelfActivate example) or the schedule's name (the API example).
      return !linked || linked.toLowerCase() === e.name.toLowerCase();
    });
  }
}

export function roleDefinitionId(scope: string, roleGuid: string): string {
  const m = /^\/subscriptions\/[^/]+/i.exec(scope);
  return `${m ? m[0] : ""}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

export function eligibilityScheduleId(e: EligibilitySchedule): string {
  return `${e.scope}/providers/Microsoft.Authorization/roleEligibilitySchedules/${e.name}`;
}
