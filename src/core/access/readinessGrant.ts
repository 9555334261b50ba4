import type { ReadinessGrant } from "../inventory/readiness";
import type { GrantStore } from "./grantStore";
import { RESUMABLE_STATES } from "./states";

/**
 * What the access store tells the inventory about one VM (`InventoryOptions.grantFor`): a pending
 * approval, a flow under way, a grant (already expired when its time has passed, even before the
 * machine records it), or nothing.
 */
export function readinessGrantFor(store: Pick<GrantStore, "get">, vmId: string, now: number): ReadinessGrant | undefined {
  const rec = store.get(vmId);
  if (!rec) return undefined;
  const s = rec.state;
  switch (s.kind) {
    case "pendingApproval":
      return { state: "pendingApproval", requestName: s.requestName };
    case "granted":
    case "extending":
      return s.grant.expiresAt <= now ? { state: "expired", expiresAt: s.grant.expiresAt } : { state: "granted", expiresAt: s.grant.expiresAt, requestName: s.grant.roleAssignment.requestName };
    case "expired":
      return { state: "expired", expiresAt: s.grant.expiresAt };
    default:
      return RESUMABLE_STATES.includes(s.kind) ? { state: "inProgress", requestName: rec.request?.requestName } : undefined;
  }
}
