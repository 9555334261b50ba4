/**
 * Microsoft.KeyVault management reads: `Vaults_ListBySubscription` and `Vaults_ListByResourceGroup`
 * (azure-rest-api-specs `specification/keyvault/resource-manager/Microsoft.KeyVault/stable/2023-07-01/keyvault.json`,
 * examples listVaultBySubscription.json / listVaultByResourceGroup.json): ARM's `{value, nextLink}`
 * pages, RBAC-filtered by `Microsoft.KeyVault/vaults/read`, as the Compute and Network lists are.
 */
import type { SimRequest } from "../http/request";
import type { Router } from "../http/router";
import { page } from "../http/paging";
import type { ResourceModel, VaultModel } from "../world/model";
import { callerOf, requireAction, requireSubscription, type ArmDeps } from "./armContext";
import { vaultToArm } from "./shapes";

const VAULT_TYPE = "Microsoft.KeyVault/vaults";
const READ = `${VAULT_TYPE}/read`;

export function registerKeyVault(router: Router, deps: ArmDeps): void {
  const listOf = (req: SimRequest, items: ResourceModel[]): { status: number; body: unknown } => {
    const caller = callerOf(req);
    const visible = items.filter((r): r is VaultModel => r.kind === "vault" && deps.rbac.can(caller, READ, r.id));
    return { status: 200, body: page(req, visible.map(vaultToArm), deps.settings.armPageSize) };
  };
  router.add("GET", `/subscriptions/{sub}/providers/${VAULT_TYPE}`, (req, p) => {
    requireSubscription(deps, req, p.sub!);
    requireAction(deps, req, READ, `/subscriptions/${p.sub}`);
    return listOf(req, deps.world.inSubscription(p.sub!, [VAULT_TYPE]));
  });
  router.add("GET", `/subscriptions/{sub}/resourceGroups/{rg}/providers/${VAULT_TYPE}`, (req, p) => {
    requireSubscription(deps, req, p.sub!);
    requireAction(deps, req, READ, `/subscriptions/${p.sub}/resourceGroups/${p.rg}`);
    return listOf(req, deps.world.inResourceGroup(p.sub!, p.rg!, VAULT_TYPE));
  });
}
