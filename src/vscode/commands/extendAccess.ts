import * as vscode from "vscode";
import { notify } from "../notify";
import { formatLocalTime } from "../tree/vmTreeProvider";
import { announcePendingApproval, withAccessProgress } from "./accessProgress";
import type { CommandHandler } from "./commandContext";
import { hasToken, signedInService, targetVm } from "./vmTarget";

/**
 * Extends running access (a longer role when needed, then a new JIT window). A VM that is ready
 * without a grant of ours (the role and JIT were opened elsewhere) gets a new request instead: the
 * access flow reuses the active role and opens a fresh JIT window.
 */
export const extendAccess: CommandHandler = async (ctx, arg) => {
  const l10n = vscode.l10n;
  const vm = await targetVm(ctx, arg, { filter: hasToken("grant:active"), placeholder: l10n.t("Extend access to which VM?"), none: l10n.t("No VM has active access to extend.") });
  if (!vm) return;
  const service = await signedInService(ctx);
  const ours = service.activeGrant(vm.id) !== undefined;
  const outcome = await withAccessProgress(ctx, vm, l10n.t("Extending access to {0}", vm.name), (signal) => (ours ? service.extend(vm.id, signal) : service.requestAccess(vm.id, signal)));
  if (outcome.kind === "pendingApproval") return announcePendingApproval(vm.id, vm.name);
  void notify.info(l10n.t("Access to {0} now lasts until {1}.", vm.name, formatLocalTime(outcome.value.expiresAt)));
};
