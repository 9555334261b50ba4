import { reconcileGrants, type Reconciliation } from "../access/recognition";
import type { GrantStore } from "../access/grantStore";
import type { Inventory } from "../inventory/loadInventory";
import type { Logger } from "../logger";
import { describeUntrusted } from "../ssh/untrustedText";
import type { ConnectionSetup } from "./connectionSetup";

export interface RecognitionDeps {
  grants: GrantStore;
  connections: Pick<ConnectionSetup, "dropCredential" | "extendCredential">;
  logger: Logger;
  /** The countdown: recompute once the store changed. */
  refreshCountdown: () => void;
}

/**
 * After an inventory load: the grant store follows Azure (see access/recognition.ts). A grant that
 * ended outside this window loses its local credential at once; one whose end moved keeps its key
 * file until the new end.
 */
export async function recogniseAccess(deps: RecognitionDeps, inventory: Inventory, now: number, readStartedAt: number): Promise<Reconciliation> {
  const result = await reconcileGrants(deps.grants, inventory, now, readStartedAt);
  for (const g of result.ended) await deps.connections.dropCredential(g.vmId);
  for (const g of result.updated) await deps.connections.extendCredential(g.vmId, g.expiresAt);
  const names = (list: readonly { vmName: string }[]): string => list.map((g) => describeUntrusted(g.vmName)).join(", ");
  if (result.adopted.length > 0) deps.logger.info(`Access found in Azure (activated outside this window): ${names(result.adopted)}`);
  if (result.updated.length > 0) deps.logger.info(`Access end changed in Azure: ${names(result.updated)}`);
  if (result.ended.length > 0) deps.logger.info(`Access ended in Azure (deactivated or revoked outside this window): ${names(result.ended)}`);
  if (result.adopted.length + result.updated.length + result.ended.length > 0) deps.refreshCountdown();
  return result;
}
