import * as vscode from "vscode";
import { announcePendingApproval, withAccessProgress } from "./accessProgress";
import type { CommandHandler } from "./commandContext";
import { openSshTerminal as openTerminal } from "./sshTerminal";
import { allOf, hasToken, signedInService, targetVm } from "./vmTarget";
import { JitError } from "../../core/errors";

/** Access if needed, the credential and SSH config, then `ssh <alias>` in a terminal. */
export const openSshTerminal: CommandHandler = async (ctx, arg) => {
  const vm = await targetVm(ctx, arg, {
    filter: allOf(hasToken("ssh:yes"), hasToken("blocked:no")),
    placeholder: vscode.l10n.t("Open an SSH terminal to which VM?"),
    none: vscode.l10n.t("No VM can be reached over SSH."),
  });
  if (!vm) return;
  const service = await signedInService(ctx);
  const outcome = await withAccessProgress(ctx, vm, vscode.l10n.t("Connecting to {0}", vm.name), (signal, step) => service.connect(vm.id, signal, step));
  if (outcome.kind === "pendingApproval") return announcePendingApproval(vm.id, vm.name);
  const terminal = openTerminal(outcome.value);
  // ssh says "exit 255" for every failure; when it ends so, say why in one sentence and what to do,
  // through the one error presenter, whose buttons act on the cause (Forget Host Key, Request Access…).
  const watch = vscode.window.onDidCloseTerminal(async (closed) => {
    if (closed !== terminal) return;
    watch.dispose();
    if (closed.exitStatus?.code !== 255) return;
    const profile = service.profiles.get(outcome.value.alias);
    if (!profile) return;
    const probe = await service.diagnoseSsh(profile, vm.name);
    if (probe.status === "ok") return;
    const error = new JitError(probe.code ?? "TunnelFailed", probe.detail, { details: { vmId: vm.id } });
    await ctx.services.errors.show(error, { operation: `SSH terminal to ${outcome.value.alias} (ssh exit 255)`, vmId: vm.id });
  });
};
