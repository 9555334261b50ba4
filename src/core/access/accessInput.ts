import type { TicketInfo } from "./grant";

/**
 * The port through which the access flow asks the user for what the policies require. The VS Code
 * layer implements it with quick inputs; tests with canned answers. It is called after the policies
 * are read, and asks only for what `request.needs` says (the duration always has a default).
 * Rejects with a CancellationError when the user backs out.
 */
export type AccessInputProvider = (request: AccessInputRequest, signal?: AbortSignal) => Promise<AccessInputValues>;

export interface AccessInputRequest {
  purpose: "request" | "extend";
  vmId: string;
  vmName: string;
  roleName?: string;
  /** The role being activated and where: recent justifications are remembered per role and scope. */
  role?: { scope: string; roleDefinitionId: string };
  needs: {
    justification: boolean;
    ticket: boolean;
  };
  /** Whether an approver must accept the activation (the UI says so before the user commits). */
  approvalRequired: boolean;
  /** The longest duration the policies allow (PIM and JIT maximum, and the active role's remaining time). */
  maxDurationMs: number;
  /** A sensible preselection (≤ max). */
  defaultDurationMs: number;
}

export interface AccessInputValues {
  /** Required when `needs.justification`; otherwise optional (it is also sent with the JIT request). */
  justification?: string;
  /** Required when `needs.ticket`. */
  ticket?: TicketInfo;
  /** Requested duration; longer than the maximum is clamped (and logged), never sent as is. */
  durationMs: number;
}
