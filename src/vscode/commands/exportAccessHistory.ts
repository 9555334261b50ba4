import * as vscode from "vscode";
import { notify } from "../notify";
import { CancellationError } from "../../core/cancellation";
import type { CommandHandler } from "./commandContext";
import { exportFolder } from "./showAccessHistory";

/** Saves the whole access journal as JSON or CSV (spreadsheet-safe), where the user chooses. */
export const exportAccessHistory: CommandHandler = async (ctx, formatArg, targetArg) => {
  const l10n = vscode.l10n;
  let format: "json" | "csv" | undefined = formatArg === "json" || formatArg === "csv" ? formatArg : undefined;
  if (!format) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: "CSV", description: l10n.t("for spreadsheets"), value: "csv" as const },
        { label: "JSON", description: l10n.t("for scripts"), value: "json" as const },
      ],
      { placeHolder: l10n.t("Export the access history as") },
    );
    if (!picked) throw new CancellationError();
    format = picked.value;
  }
  const target =
    targetArg instanceof vscode.Uri
      ? targetArg
      : await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.joinPath(exportFolder(), `azure-jit-access-history.${format}`),
          filters: format === "csv" ? { CSV: ["csv"] } : { JSON: ["json"] },
          saveLabel: l10n.t("Export"),
        });
  if (!target) throw new CancellationError();
  const service = await ctx.services.host.get();
  const text = await service.exportHistory(format);
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, "utf8"));
  ctx.services.log.info(`Exported the access history (${format}) to ${target.fsPath}`);
  const open = l10n.t("Open");
  const choice = await notify.info(l10n.t("Exported the access history to {0}.", target.fsPath), open);
  if (choice === open) await vscode.window.showTextDocument(target);
};
