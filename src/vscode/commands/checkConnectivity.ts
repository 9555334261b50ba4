import * as vscode from "vscode";
import { CancellationError } from "../../core/cancellation";
import { withCancellableProgress } from "../progress";
import { connectivityReport } from "../reports/connectivityReport";
import type { CommandHandler } from "./commandContext";
import { anyVm, signedInService, targetVm } from "./vmTarget";

/** Every check for one VM (sign-in, power, role, JIT, Bastion, credential, ssh, config), as a readable report. */
export const checkConnectivity: CommandHandler = async (ctx, arg) => {
  const l10n = vscode.l10n;
  const vm = await targetVm(ctx, arg, { filter: anyVm, placeholder: l10n.t("Check connectivity to which VM?"), none: l10n.t("No VM is listed.") });
  if (!vm) return;
  const service = await signedInService(ctx);
  const result = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: l10n.t("Checking connectivity to {0}", vm.name), cancellable: true }, (signal) => service.checkConnectivity(vm.id, signal));
  if (!result.ok) throw result.cancelled ? new CancellationError() : result.error;
  const markdown = connectivityReport({ name: vm.name, where: `${vm.subscriptionName ?? vm.subscriptionId} › ${vm.resourceGroup}` }, result.value, new Date().toLocaleString(vscode.env.language), l10n);
  await ctx.services.reports.show(l10n.t("Connectivity {0}", vm.name), markdown);
};
