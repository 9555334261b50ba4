import * as vscode from "vscode";
import { CancellationError } from "../../core/cancellation";
import { withCancellableProgress } from "../progress";
import type { CommandHandler } from "./commandContext";

/** Signs in with `azureJit.auth.method` (a device code, VS Code's account, the Azure CLI, a service principal), then loads the VMs. */
export const signIn: CommandHandler = async (ctx) => {
  const { auth, refresher } = ctx.services;
  const result = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Signing in to Azure"), cancellable: true }, (signal, progress) =>
    auth.signIn({ interactive: true, step: (m) => progress.step(m) }, signal),
  );
  if (!result.ok) throw result.cancelled ? new CancellationError() : result.error;
  vscode.window.setStatusBarMessage(vscode.l10n.t("$(pass) Signed in to Azure as {0}", result.value.upn ?? result.value.principalId), 5000);
  await refresher.refresh({ interactive: true });
};
