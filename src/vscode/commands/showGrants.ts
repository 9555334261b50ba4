import * as vscode from "vscode";
import { notify } from "../notify";
import { CancellationError } from "../../core/cancellation";
import { formatRemaining } from "../../core/countdown/countdown";
import type { CommandId } from "./commandIds";
import type { CommandHandler } from "./commandContext";
import { formatLocalTime } from "../tree/vmTreeProvider";

/** The running grants (what the status bar counts down), each with Connect / Extend / Deactivate. */
export const showGrants: CommandHandler = async (ctx) => {
  const l10n = vscode.l10n;
  const service = await ctx.services.host.get();
  const now = service.azureContext()?.clock.now() ?? Date.now();
  const grants = service.activeGrants().sort((a, b) => a.expiresAt - b.expiresAt);
  if (grants.length === 0) {
    void notify.info(l10n.t("No access is active."));
    return;
  }
  const extendButton = { iconPath: new vscode.ThemeIcon("history"), tooltip: l10n.t("Extend") };
  const deactivateButton = { iconPath: new vscode.ThemeIcon("lock"), tooltip: l10n.t("Deactivate") };
  const items = grants.map((g) => ({
    label: `$(shield) ${g.vmName}`,
    description: l10n.t("{0} left · until {1}", formatRemaining(g.expiresAt - now), formatLocalTime(g.expiresAt)),
    detail: [g.roleAssignment.roleName, g.justification].filter(Boolean).join(" · ") || undefined,
    buttons: [extendButton, deactivateButton],
    grant: g,
  }));
  const chosen = await new Promise<{ vmId: string; action?: CommandId } | undefined>((resolve) => {
    const qp = vscode.window.createQuickPick<(typeof items)[number]>();
    qp.items = items;
    qp.placeholder = l10n.t("Active access: pick one for more, or use the buttons");
    qp.onDidTriggerItemButton((e) => {
      resolve({ vmId: e.item.grant.vmId, action: e.button === extendButton ? "azureJit.extendAccess" : "azureJit.deactivateAccess" });
      qp.hide();
    });
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0];
      resolve(item ? { vmId: item.grant.vmId } : undefined);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
  if (!chosen) throw new CancellationError();
  ctx.vmId = chosen.vmId;
  let action = chosen.action;
  if (!action) {
    const actions: { label: string; id: CommandId }[] = [
      { label: `$(remote) ${l10n.t("Connect")}`, id: "azureJit.connect" },
      { label: `$(terminal) ${l10n.t("Open SSH Terminal")}`, id: "azureJit.openSshTerminal" },
      { label: `$(history) ${l10n.t("Extend")}`, id: "azureJit.extendAccess" },
      { label: `$(lock) ${l10n.t("Deactivate")}`, id: "azureJit.deactivateAccess" },
    ];
    const picked = await vscode.window.showQuickPick(actions, { placeHolder: l10n.t("What now?") });
    if (!picked) throw new CancellationError();
    action = picked.id;
  }
  await vscode.commands.executeCommand(action, chosen.vmId);
};
