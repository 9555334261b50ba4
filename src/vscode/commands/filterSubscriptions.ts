import * as vscode from "vscode";
import { notify } from "../notify";
import { CancellationError } from "../../core/cancellation";
import type { SubscriptionInfo, TenantInfo } from "../../core/inventory/types";
import { filterForSelection } from "../inputRules";
import type { CommandHandler } from "./commandContext";
import { signedInService } from "./vmTarget";

/** Multi-select of subscriptions, grouped by tenant; writes `azureJit.filter.tenants` and `azureJit.filter.subscriptions`. */
export const filterSubscriptions: CommandHandler = async (ctx) => {
  const l10n = vscode.l10n;
  const service = await signedInService(ctx);
  const scopes = service.availableScopes();
  if (!scopes || scopes.subscriptions.length === 0) {
    void notify.info(l10n.t("No subscription with eligible VMs is known yet. Refresh first."));
    return;
  }
  const { filter } = ctx.services.config();
  const chosenSubs = new Set(filter.subscriptions.map((s) => s.toLowerCase()));
  const chosenTenants = new Set(filter.tenants.map((t) => t.toLowerCase()));
  const isChosen = (s: SubscriptionInfo): boolean => (chosenSubs.size === 0 || chosenSubs.has(s.subscriptionId.toLowerCase())) && (chosenTenants.size === 0 || chosenTenants.has(s.tenantId.toLowerCase()));
  const tenantName = (id: string): string => scopes.tenants.find((t: TenantInfo) => t.tenantId.toLowerCase() === id.toLowerCase())?.displayName ?? id;
  type Item = vscode.QuickPickItem & { subscription?: SubscriptionInfo };
  const items: Item[] = [];
  const byTenant = [...new Set(scopes.subscriptions.map((s) => s.tenantId))].sort((a, b) => tenantName(a).localeCompare(tenantName(b)));
  for (const tenant of byTenant) {
    items.push({ label: tenantName(tenant), kind: vscode.QuickPickItemKind.Separator });
    for (const s of scopes.subscriptions.filter((x) => x.tenantId === tenant).sort((a, b) => a.displayName.localeCompare(b.displayName))) {
      items.push({ label: s.displayName, description: s.subscriptionId, picked: isChosen(s), subscription: s });
    }
  }
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, placeHolder: l10n.t("Show VMs of these subscriptions"), matchOnDescription: true });
  if (!picked) throw new CancellationError();
  const selected = picked.map((p) => p.subscription).filter((s): s is SubscriptionInfo => s !== undefined);
  if (selected.length === 0) {
    void notify.warn(l10n.t("Select at least one subscription; the filter was not changed."));
    return;
  }
  const next = filterForSelection(scopes.subscriptions, selected);
  const cfg = vscode.workspace.getConfiguration("azureJit");
  await cfg.update("filter.tenants", next.tenants, vscode.ConfigurationTarget.Global);
  await cfg.update("filter.subscriptions", next.subscriptions, vscode.ConfigurationTarget.Global);
};
