import * as vscode from "vscode";
import { notify } from "../notify";
import type { CommandHandler } from "./commandContext";
import { hasToken, signedInService, targetVm } from "./vmTarget";

/** Withdraws an access request in flight (a pending PIM request is cancelled in Azure). */
export const cancelRequest: CommandHandler = async (ctx, arg) => {
  const l10n = vscode.l10n;
  const vm = await targetVm(ctx, arg, { filter: hasToken("grant:pending"), placeholder: l10n.t("Cancel the access request for which VM?"), none: l10n.t("No access request is under way.") });
  if (!vm) return;
  const service = await signedInService(ctx);
  const cancelled = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: l10n.t("Cancelling the access request for {0}", vm.name) }, () => service.cancel(vm.id));
  void notify.info(cancelled ? l10n.t("The access request for {0} was withdrawn.", vm.name) : l10n.t("There was no access request for {0} to cancel.", vm.name));
  void ctx.services.refresher.refresh();
};
