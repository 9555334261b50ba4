import * as vscode from "vscode";
import { roleLimitsGrant } from "../../core/access/accessMachine";
import type { Grant } from "../../core/access/grant";
import type { VmEntry } from "../../core/inventory/loadInventory";
import type { JitConnectService } from "../../core/service/jitConnectService";
import { notify } from "../notify";
import { formatLocalTime } from "../tree/vmTreeProvider";
import { announcePendingApproval, withAccessProgress } from "./accessProgress";
import type { CommandHandler } from "./commandContext";
import { hasToken, signedInService, targetVm } from "./vmTarget";

/**
 * Extends running access: a new JIT window, never past the role's end (PIM cannot lengthen an
 * activation). When the role is what ends the access, says so and offers to activate the role again
 * when it ends (same answers; the policy is checked again). A VM that is ready without a grant of
 * ours (the role and JIT were opened elsewhere) gets a new request instead: the access flow reuses
 * the active role and opens a fresh JIT window.
 */
export const extendAccess: CommandHandler = async (ctx, arg) => {
  const l10n = vscode.l10n;
  const vm = await targetVm(ctx, arg, { filter: hasToken("grant:active"), placeholder: l10n.t("Extend access to which VM?"), none: l10n.t("No VM has active access to extend.") });
  if (!vm) return;
  const service = await signedInService(ctx);
  const ours = service.activeGrant(vm.id) !== undefined;
  const outcome = await withAccessProgress(ctx, vm, l10n.t("Extending access to {0}", vm.name), (signal) => (ours ? service.extend(vm.id, signal) : service.requestAccess(vm.id, signal)));
  if (outcome.kind === "pendingApproval") return announcePendingApproval(vm.id, vm.name);
  const grant = outcome.value;
  if (!roleLimitsGrant(grant) || grant.roleAssignment.endsAt === undefined) {
    void notify.info(l10n.t("Access to {0} now lasts until {1}.", vm.name, formatLocalTime(grant.expiresAt)));
    return;
  }
  await offerReactivation(service, vm, grant);
};

async function offerReactivation(service: JitConnectService, vm: VmEntry, grant: Grant): Promise<void> {
  const l10n = vscode.l10n;
  const again = l10n.t("Activate Again When It Ends");
  const answer = await notify.info(
    l10n.t("Access to {0} now lasts until {1}, when the role ends.", vm.name, formatLocalTime(grant.expiresAt)),
    {
      detail: l10n.t(
        "PIM cannot lengthen an activation once it is running. To keep working, the role can be activated again right when it ends, with the same justification; its policy is checked again (approval, MFA). Or choose a longer duration next time.",
      ),
    },
    again,
  );
  if (answer !== again) return;
  const reactivation = service.reactivation;
  const { at } = reactivation.reactivateWhenRoleEnds(vm);
  const off = reactivation.onDidReactivate((e) => {
    if (e.vmId !== vm.id || e.outcome === "scheduled" || e.outcome === "started") return;
    off();
    if (e.outcome === "granted" && e.grant) void notify.info(l10n.t("The role on {0} was activated again; access lasts until {1}.", vm.name, formatLocalTime(e.grant.expiresAt)));
    else if (e.outcome === "failed") void notify.warn(l10n.t("Activating the role on {0} again failed: {1}", vm.name, e.error?.message ?? ""));
  });
  const dontActivate = l10n.t("Don't Activate Again");
  const followUp = await notify.info(l10n.t("The role on {0} will be activated again at {1}.", vm.name, formatLocalTime(at)), dontActivate);
  if (followUp === dontActivate && reactivation.cancelReactivation(vm.id)) off();
}
