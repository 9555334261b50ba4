import * as vscode from "vscode";
import { notify } from "../notify";
import { forwardName } from "../tree/forwardPresentation";
import type { CommandHandler } from "./commandContext";

/** Lists the running port forwards (of every VM); the chosen ones stop. */
export const stopPortForward: CommandHandler = async (ctx) => {
  const l10n = vscode.l10n;
  const forwards = ctx.services.host.current?.forwards.list() ?? [];
  if (forwards.length === 0) {
    void notify.info(l10n.t("No port is being forwarded."));
    return;
  }
  const picked = await vscode.window.showQuickPick(
    forwards.map((f) => ({ label: `${forwardName(f, l10n)} → localhost:${f.localPort}`, description: l10n.t("{0}, port {1}", f.vmName, f.remotePort), detail: f.url, forward: f })),
    { canPickMany: true, placeHolder: l10n.t("Stop which port forwards?") },
  );
  for (const p of picked ?? []) p.forward.stop();
};
