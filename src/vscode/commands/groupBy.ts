import * as vscode from "vscode";
import { CancellationError } from "../../core/cancellation";
import { GROUP_BY, type GroupBy } from "../config";
import type { CommandHandler } from "./commandContext";

/** Picks `azureJit.tree.groupBy`. */
export const groupBy: CommandHandler = async (ctx, arg) => {
  const l10n = vscode.l10n;
  const labels: Record<GroupBy, string> = {
    subscription: l10n.t("Tenant and subscription"),
    resourceGroup: l10n.t("Subscription and resource group"),
    status: l10n.t("Status (ready, waiting, needs access, stopped, not reachable)"),
  };
  const current = ctx.services.config().groupBy;
  let value: GroupBy | undefined = typeof arg === "string" && (GROUP_BY as readonly string[]).includes(arg) ? (arg as GroupBy) : undefined;
  if (!value) {
    const picked = await vscode.window.showQuickPick(
      GROUP_BY.map((g) => ({ label: labels[g], description: g === current ? l10n.t("current") : undefined, value: g })),
      { placeHolder: l10n.t("Group the VMs by") },
    );
    if (!picked) throw new CancellationError();
    value = picked.value;
  }
  await vscode.workspace.getConfiguration("azureJit").update("tree.groupBy", value, vscode.ConfigurationTarget.Global);
};
