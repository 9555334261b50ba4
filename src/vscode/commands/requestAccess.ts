import * as vscode from "vscode";
import { notify } from "../notify";
import type { Grant } from "../../core/access/grant";
import { formatLocalTime } from "../tree/vmTreeProvider";
import { announcePendingApproval, withAccessProgress } from "./accessProgress";
import type { CommandHandler } from "./commandContext";
import { allOf, hasToken, signedInService, targetVm } from "./vmTarget";

/** PIM activation (as the role's policy requires) then JIT for port 22, in one cancellable notification. */
export const requestAccess: CommandHandler = async (ctx, arg) => {
  const vm = await targetVm(ctx, arg, {
    filter: allOf(hasToken("ssh:yes"), hasToken("blocked:no"), hasToken("grant:none")),
    placeholder: vscode.l10n.t("Request access to which VM?"),
    none: vscode.l10n.t("No VM needs an access request right now."),
  });
  if (!vm) return;
  const service = await signedInService(ctx);
  const outcome = await withAccessProgress(ctx, vm, vscode.l10n.t("Requesting access to {0}", vm.name), (signal) => service.requestAccess(vm.id, signal));
  if (outcome.kind === "pendingApproval") return announcePendingApproval(vm.id, vm.name);
  await announceGranted(outcome.value);
};

/** "Access is open until …" with the next step one click away. */
export async function announceGranted(grant: Grant): Promise<void> {
  const connect = vscode.l10n.t("Connect");
  const terminal = vscode.l10n.t("Open SSH Terminal");
  const choice = await notify.info(vscode.l10n.t("Access to {0} is open until {1}.", grant.vmName, formatLocalTime(grant.expiresAt)), connect, terminal);
  if (choice === connect) await vscode.commands.executeCommand("azureJit.connect", grant.vmId);
  else if (choice === terminal) await vscode.commands.executeCommand("azureJit.openSshTerminal", grant.vmId);
}
