import * as vscode from "vscode";
import type { DeviceCodePrompt } from "../../core/azure/credentialConfig";
import type { Logger } from "../../core/logger";

/**
 * Shows a device code: a notification with the code and "Copy Code and Open Browser", and a way
 * to cancel the sign-in (the credential keeps polling Entra ID until then). The code is not logged:
 * it is short-lived, but whoever enters it first signs in as the user.
 */
export function showDeviceCodePrompt(prompt: DeviceCodePrompt, options: { cancel: () => void; logger: Logger; onStep?: (message: string) => void; isWaiting: () => boolean }): void {
  options.logger.info(`Device code sign-in started (tenant ${prompt.tenantId}); waiting for the code to be entered at ${prompt.verificationUri}`);
  options.onStep?.(vscode.l10n.t("Enter the code {0} at {1}", prompt.userCode, prompt.verificationUri));
  const copyAndOpen = vscode.l10n.t("Copy Code and Open Browser");
  const cancel = vscode.l10n.t("Cancel Sign-In");
  void vscode.window.showInformationMessage(vscode.l10n.t("To sign in to Azure, open {0} and enter the code {1}.", prompt.verificationUri, prompt.userCode), copyAndOpen, cancel).then(async (choice) => {
    // The API cannot close a notification: a click after the sign-in ended only says so.
    if (choice && !options.isWaiting()) {
      vscode.window.setStatusBarMessage(vscode.l10n.t("That sign-in has already finished."), 5000);
      return;
    }
    if (choice === copyAndOpen) {
      await vscode.env.clipboard.writeText(prompt.userCode);
      await vscode.env.openExternal(vscode.Uri.parse(prompt.verificationUri));
    } else if (choice === cancel) {
      options.cancel();
    }
  });
}
