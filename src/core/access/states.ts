import type { Grant } from "./grant";

/**
 * The states of one VM's access (ARCHITECTURE.md, "Access state machine"). A discriminated union on
 * `kind`; the allowed moves are the data in TRANSITIONS, which the driver checks on every change and
 * the tests check as a table. Every state is JSON (it is persisted in the grant store).
 */
export type AccessState =
  | { kind: "idle" }
  | { kind: "readingPolicy" }
  | { kind: "awaitingInput" }
  | { kind: "activatingRole"; requestName: string }
  | { kind: "pendingApproval"; requestName: string; since: number }
  | { kind: "waitingForRole"; requestName?: string }
  | { kind: "initiatingJit" }
  | { kind: "waitingForJit"; requestedAt: number }
  | { kind: "granted"; grant: Grant }
  | { kind: "extending"; grant: Grant }
  | { kind: "deactivating"; grant?: Grant }
  | { kind: "denied"; message: string }
  | { kind: "failed"; code: string; message: string }
  | { kind: "timedOut"; message: string }
  | { kind: "cancelled"; message: string }
  | { kind: "expired"; grant: Grant };

export type StateKind = AccessState["kind"];

/** Where each state may go. Terminal states may start over (a new request). */
export const TRANSITIONS: Readonly<Record<StateKind, readonly StateKind[]>> = {
  idle: ["readingPolicy", "deactivating"],
  readingPolicy: ["awaitingInput", "failed", "cancelled"],
  awaitingInput: ["activatingRole", "initiatingJit", "failed", "cancelled"],
  // activatingRole → activatingRole: the one retry after a step-up sign-in.
  activatingRole: ["activatingRole", "pendingApproval", "waitingForRole", "denied", "failed", "timedOut", "cancelled"],
  pendingApproval: ["waitingForRole", "denied", "failed", "timedOut", "cancelled"],
  waitingForRole: ["initiatingJit", "failed", "timedOut", "cancelled"],
  initiatingJit: ["waitingForJit", "failed", "cancelled"],
  waitingForJit: ["granted", "failed", "timedOut", "cancelled"],
  granted: ["extending", "deactivating", "expired", "readingPolicy"],
  // Extending runs its steps inside this state; success or failure returns to granted (new or old
  // grant), or to expired when the old grant ran out meanwhile.
  extending: ["granted", "expired"],
  // Success ends in idle; a refused deactivation (too soon, an error) restores the previous state.
  deactivating: ["idle", "granted", "expired", "failed", "cancelled", "denied", "timedOut"],
  denied: ["readingPolicy", "idle", "deactivating"],
  failed: ["readingPolicy", "idle", "deactivating"],
  timedOut: ["readingPolicy", "idle", "deactivating"],
  cancelled: ["readingPolicy", "idle", "deactivating"],
  expired: ["readingPolicy", "idle", "deactivating"],
};

export function canTransition(from: StateKind, to: StateKind): boolean {
  return TRANSITIONS[from].includes(to);
}

/** States in which a flow is running (a second flow for the same VM must not start). */
export const BUSY_STATES: readonly StateKind[] = ["readingPolicy", "awaitingInput", "activatingRole", "pendingApproval", "waitingForRole", "initiatingJit", "waitingForJit", "extending", "deactivating"];

/** States a restart resumes from the store (Azure holds something for us in these). */
export const RESUMABLE_STATES: readonly StateKind[] = ["activatingRole", "pendingApproval", "waitingForRole", "initiatingJit", "waitingForJit"];

/** States that only existed in memory: after a restart nothing happened on Azure's side. */
export const EPHEMERAL_STATES: readonly StateKind[] = ["readingPolicy", "awaitingInput"];

export function isBusy(state: AccessState): boolean {
  return BUSY_STATES.includes(state.kind);
}
