import * as vscode from "vscode";
import { notify } from "../notify";
import { CancellationError } from "../../core/cancellation";
import { withCancellableProgress } from "../progress";
import type { CommandHandler } from "./commandContext";
import { hasToken, signedInService, targetVm } from "./vmTarget";

/** Starts a stopped VM (the eligible role usually allows it), then refreshes. */
export const startVm: CommandHandler = async (ctx, arg) => {
  const l10n = vscode.l10n;
  const vm = await targetVm(ctx, arg, { filter: hasToken("power:stopped"), placeholder: l10n.t("Start which VM?"), none: l10n.t("No listed VM is stopped.") });
  if (!vm) return;
  const service = await signedInService(ctx);
  const result = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: l10n.t("Starting {0}", vm.name), cancellable: true }, (signal) => service.startVm(vm.id, signal));
  if (!result.ok) throw result.cancelled ? new CancellationError() : result.error;
  void notify.info(l10n.t("{0} is running.", vm.name));
  await ctx.services.refresher.refresh();
};
