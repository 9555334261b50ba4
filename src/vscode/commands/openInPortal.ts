import * as vscode from "vscode";
import { portalUrl } from "../inputRules";
import type { CommandHandler } from "./commandContext";
import { anyVm, signedInService, targetVm } from "./vmTarget";

/** Opens the VM's page in the cloud's portal. */
export const openInPortal: CommandHandler = async (ctx, arg) => {
  const vm = await targetVm(ctx, arg, { filter: anyVm, placeholder: vscode.l10n.t("Open which VM in the portal?"), none: vscode.l10n.t("No VM is listed.") });
  if (!vm) return;
  const service = await signedInService(ctx);
  await vscode.env.openExternal(vscode.Uri.parse(portalUrl(service.cloud.portalUrl, vm.tenantId, vm.id)));
};
