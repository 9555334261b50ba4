import * as vscode from "vscode";
import { notify } from "../notify";
import { CancellationError } from "../../core/cancellation";
import type { CommandHandler } from "./commandContext";
import { hasToken, signedInService, targetVm } from "./vmTarget";

/** Removes the VM's pinned host key (after a legitimate rebuild of the VM); the next connection pins the new one. */
export const forgetHostKey: CommandHandler = async (ctx, arg) => {
  const l10n = vscode.l10n;
  const vm = await targetVm(ctx, arg, { filter: hasToken("ssh:yes"), placeholder: l10n.t("Forget the host key of which VM?"), none: l10n.t("No VM can be reached over SSH.") });
  if (!vm) return;
  const service = await signedInService(ctx);
  const forget = l10n.t("Forget Host Key");
  const choice = await notify.warn(
    l10n.t("Forget the SSH host key of {0}?", vm.name),
    { modal: true, detail: l10n.t("Do this only when you know the VM was rebuilt or its host key was changed on purpose: the next connection trusts whatever key it is shown.") },
    forget,
  );
  if (choice !== forget) throw new CancellationError();
  const removed = await service.forgetHostKey(vm.id);
  void notify.info(removed > 0 ? l10n.t("Forgot the host key of {0}.", vm.name) : l10n.t("No host key was pinned for {0}.", vm.name));
};
