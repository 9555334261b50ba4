import * as vscode from "vscode";
import { notify } from "../notify";
import { refuseEarlyDeactivation } from "../../core/access/deactivateFlow";
import { CancellationError } from "../../core/cancellation";
import { withCancellableProgress } from "../progress";
import { formatLocalTime } from "../tree/vmTreeProvider";
import type { CommandHandler } from "./commandContext";
import { hasToken, signedInService, targetVm } from "./vmTarget";

/** Ends the PIM role early and removes the VM's credential here. PIM refuses within 5 minutes of activation (said plainly). */
export const deactivateAccess: CommandHandler = async (ctx, arg) => {
  const l10n = vscode.l10n;
  const vm = await targetVm(ctx, arg, { filter: hasToken("grant:active", "role:active"), placeholder: l10n.t("Deactivate access to which VM?"), none: l10n.t("No VM has an active role to deactivate.") });
  if (!vm) return;
  const service = await signedInService(ctx);
  // PIM's 5-minute rule is said before asking, not after (the activation's start is Azure's).
  refuseEarlyDeactivation(service.activeGrant(vm.id)?.roleAssignment.startsAt, vm.name, service.azureContext()?.clock.now() ?? Date.now());
  const deactivate = l10n.t("Deactivate");
  const confirmed = await notify.warn(
    l10n.t("Deactivate your access to {0}?", vm.name),
    { modal: true, detail: l10n.t("The PIM role is deactivated now and the VM's key is removed from this computer. Open SSH sessions may stay connected until they close.") },
    deactivate,
  );
  if (confirmed !== deactivate) throw new CancellationError();
  const result = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: l10n.t("Deactivating access to {0}", vm.name), cancellable: true }, (signal) => service.deactivate(vm.id, signal));
  if (!result.ok) throw result.cancelled ? new CancellationError() : result.error;
  const r = result.value;
  const jitNote = r.jitOpenUntil !== undefined ? ` ${l10n.t("The JIT rule stays until {0}: Defender for Cloud cannot close it early, but without the role the Bastion refuses new sessions.", formatLocalTime(r.jitOpenUntil))}` : "";
  void notify.info(r.roleDeactivated ? l10n.t("Deactivated your access to {0}.", vm.name) + jitNote : l10n.t("The role on {0} was no longer active: nothing to deactivate.", vm.name));
  void ctx.services.refresher.refresh();
};
