import * as vscode from "vscode";
import { notify } from "../notify";
import { announcePendingApproval, withAccessProgress } from "./accessProgress";
import type { CommandHandler } from "./commandContext";
import { allOf, hasToken, signedInService, targetVm } from "./vmTarget";

/** Makes the VM connectable, then copies a one-line `ssh` command (it holds paths, no secret). */
export const copySshCommand: CommandHandler = async (ctx, arg) => {
  const vm = await targetVm(ctx, arg, {
    filter: allOf(hasToken("ssh:yes"), hasToken("blocked:no")),
    placeholder: vscode.l10n.t("Copy the SSH command for which VM?"),
    none: vscode.l10n.t("No VM can be reached over SSH."),
  });
  if (!vm) return;
  const service = await signedInService(ctx);
  const outcome = await withAccessProgress(ctx, vm, vscode.l10n.t("Preparing SSH to {0}", vm.name), (signal, step) => service.connect(vm.id, signal, step));
  if (outcome.kind === "pendingApproval") return announcePendingApproval(vm.id, vm.name);
  await vscode.env.clipboard.writeText(outcome.value.ssh.commandLine);
  void notify.info(vscode.l10n.t("Copied the SSH command for {0}. It works while your access lasts.", vm.name));
};
