import * as vscode from "vscode";
import type { CommandHandler } from "./commandContext";

/** Forgets the Azure session in this window (keys removed; grants keep running in Azure until they end). */
export const signOut: CommandHandler = async (ctx) => {
  await ctx.services.auth.signOut();
  ctx.services.refresher.clear();
  vscode.window.setStatusBarMessage(vscode.l10n.t("Signed out of Azure JIT Connect"), 5000);
};
