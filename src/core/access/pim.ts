import { randomUUID } from "node:crypto";
import type { RoleAssignmentScheduleRequest } from "@azure/arm-authorization";
import { pimScope } from "../azure/armIds";
import { type AzureContext, callAzure } from "../azure/azureContext";
import { statusOf } from "../azure/azureErrors";
import { formatIsoDuration } from "../azure/isoDuration";
import type { TicketInfo } from "./grant";

/**
 * PIM requests for the caller's own role (azure-protocols §2.5, §2.6): activate, deactivate,
 * read and cancel. Errors are thrown as JitErrors from callAzure with the SDK error as `cause`, so
 * the flow can classify them (pimErrors.ts).
 */

/** The product activates and deactivates; it never extends an activation (PIM has no such thing). */
export type RequestType = "SelfActivate" | "SelfDeactivate";

export interface RoleRequestInput {
  tenantId: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  requestType: RequestType;
  /** Our GUID; generated when absent. Kept in the store so a restart can find the request. */
  requestName?: string;
  eligibilityScheduleId?: string;
  durationMs?: number;
  justification?: string;
  ticket?: TicketInfo;
  targetRoleAssignmentScheduleId?: string;
}

export interface RoleRequestStatus {
  requestName: string;
  status: string;
  /** Requested end, when the schedule says (AfterDuration is relative to the approval time). */
  durationMs?: number;
  createdAt?: number;
}

/** How the flow reads a PIM request status (the practical reading of §2.5). */
export type StatusCategory = "active" | "accepted" | "pendingApproval" | "denied" | "canceled" | "timedOut" | "revoked" | "failed";

export function statusCategory(status: string): StatusCategory {
  switch (status.toLowerCase()) {
    case "provisioned":
      return "active";
    case "granted":
    case "accepted":
    case "pendingevaluation":
    case "pendingprovisioning":
    case "provisioningstarted":
    case "pendingschedulecreation":
    case "schedulecreated":
    case "adminapproved":
    case "pendingexternalprovisioning":
      return "accepted";
    case "pendingapproval":
    case "pendingapprovalprovisioning":
    case "pendingadmindecision":
      return "pendingApproval";
    case "denied":
    case "admindenied":
      return "denied";
    case "canceled":
      return "canceled";
    case "timedout":
      return "timedOut";
    case "revoked":
    case "pendingrevocation":
      return "revoked";
    default:
      return "failed";
  }
}

function statusFrom(requestName: string, r: RoleAssignmentScheduleRequest): RoleRequestStatus {
  return { requestName: r.name ?? requestName, status: r.status ?? "Unknown", createdAt: r.createdOn?.getTime() };
}

/** `…/roleEligibilitySchedules/{name}` or a bare name → the name. */
export function eligibilityScheduleName(idOrName: string): string | undefined {
  const name = idOrName.replace(/\/+$/, "").split("/").pop();
  return name ? name : undefined;
}

export function newRequestName(): string {
  return randomUUID();
}

/** Sends an activation or deactivation request. */
export async function submitRoleRequest(ctx: AzureContext, input: RoleRequestInput, signal?: AbortSignal): Promise<RoleRequestStatus> {
  const requestName = input.requestName ?? newRequestName();
  const body: RoleAssignmentScheduleRequest = {
    principalId: input.principalId,
    roleDefinitionId: input.roleDefinitionId,
    requestType: input.requestType,
  };
  if (input.requestType !== "SelfDeactivate") {
    // The schedule's name, as in the API's own example (a resource id is not what it shows).
    const linked = input.eligibilityScheduleId ? eligibilityScheduleName(input.eligibilityScheduleId) : undefined;
    if (linked) body.linkedRoleEligibilityScheduleId = linked;
    // The official examples carry a start; "now" on Azure's clock (ctx.clock is corrected by the
    // servers' Date headers), so a skewed local clock does not put it in the past or the future.
    if (input.durationMs !== undefined) body.scheduleInfo = { startDateTime: new Date(ctx.clock.now()), expiration: { type: "AfterDuration", duration: formatIsoDuration(input.durationMs) } };
    if (input.targetRoleAssignmentScheduleId) body.targetRoleAssignmentScheduleId = input.targetRoleAssignmentScheduleId;
  }
  if (input.justification) body.justification = input.justification;
  if (input.ticket) body.ticketInfo = { ticketNumber: input.ticket.number, ticketSystem: input.ticket.system };
  const verb = input.requestType === "SelfActivate" ? "activate" : "deactivate";
  const result = await callAzure(ctx, `${verb} the role in PIM`, () =>
    ctx.clients.authorization(input.tenantId).roleAssignmentScheduleRequests.create(pimScope(input.scope), requestName, body, { abortSignal: signal }),
  );
  return { ...statusFrom(requestName, result), durationMs: input.durationMs };
}

/** The current status of one of our requests; undefined when PIM does not know it (never created). */
export async function getRoleRequest(ctx: AzureContext, tenantId: string, scope: string, requestName: string, signal?: AbortSignal): Promise<RoleRequestStatus | undefined> {
  try {
    const r = await callAzure(ctx, "read the PIM request", () => ctx.clients.authorization(tenantId).roleAssignmentScheduleRequests.get(pimScope(scope), requestName, { abortSignal: signal }));
    return statusFrom(requestName, r);
  } catch (e) {
    if (statusOf(e) === 404) return undefined;
    throw e;
  }
}

/** Withdraws a pending request. Resolves false when there was nothing to cancel (unknown or already decided). */
export async function cancelRoleRequest(ctx: AzureContext, tenantId: string, scope: string, requestName: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await callAzure(ctx, "cancel the PIM request", () => ctx.clients.authorization(tenantId).roleAssignmentScheduleRequests.cancel(pimScope(scope), requestName, { abortSignal: signal }));
    return true;
  } catch (e) {
    const status = statusOf(e);
    if (status === 404 || status === 400 || status === 409) return false;
    throw e;
  }
}
