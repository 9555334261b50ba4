import type { AccessRecord } from "./grantStore";
import type { AccessState } from "./states";

/** A change of one VM's access state, with the step line for a single progress notification. */
export interface AccessEvent {
  vmId: string;
  vmName: string;
  state: AccessState;
  step?: { index: number; total: number; message: string };
}

/** The one-line progress step of a state ("Activating role (1/3)…"), for a single notification. */
export function stepOf(rec: AccessRecord): AccessEvent["step"] {
  const req = rec.request;
  const total = req?.reusedRole ? 1 : 3;
  const role = req?.roleName ? ` "${req.roleName}"` : "";
  switch (rec.state.kind) {
    case "readingPolicy":
      return { index: 0, total, message: "Reading the access policies…" };
    case "awaitingInput":
      // Said while the request form is open, so the line under it is not the finished policy read.
      return { index: 0, total, message: "Waiting for your answers in the request form…" };
    case "activatingRole":
      return { index: 1, total, message: `Activating role${role} (1/${total})…` };
    case "pendingApproval":
      return { index: 2, total, message: `Waiting for approval (2/${total})…` };
    case "waitingForRole":
      return { index: 2, total, message: `Waiting for the role to take effect (2/${total})…` };
    case "initiatingJit":
    case "waitingForJit":
      return { index: total, total, message: `Opening JIT access to port ${req?.port ?? 22} (${total}/${total})…` };
    case "deactivating":
      return { index: 1, total: 1, message: "Deactivating the role (1/1)…" };
    default:
      return undefined;
  }
}
