import * as vscode from "vscode";
import { notify } from "../notify";
import type { CommandHandler } from "./commandContext";

/** Lists the running port forwards; the chosen ones stop. */
export const stopPortForward: CommandHandler = async (ctx) => {
  const service = ctx.services.host.current;
  const forwards = service?.activeForwards() ?? [];
  if (forwards.length === 0) {
    await ctx.services.keys.set("azureJit.hasForwards", false);
    void notify.info(vscode.l10n.t("No port is being forwarded."));
    return;
  }
  const picked = await vscode.window.showQuickPick(
    forwards.map((f) => ({ label: `127.0.0.1:${f.localPort} → ${f.alias}:${f.remotePort}`, description: f.url, forward: f })),
    { canPickMany: true, placeHolder: vscode.l10n.t("Stop which port forwards?") },
  );
  for (const p of picked ?? []) p.forward.close();
};
