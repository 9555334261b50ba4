import * as vscode from "vscode";
import type { DeviceCodePrompt } from "../../core/azure/credentialConfig";
import type { Logger } from "../../core/logger";

/**
 * Shows a device code for exactly as long as its flow runs (`prompt.finished`), so that no stale
 * "enter the code" message outlives the sign-in. Inside the Sign In command the code goes into that
 * command's progress notification (its Cancel cancels the sign-in); a code asked for by anything
 * else (a step-up during Request access) gets its own cancellable progress notification. The code
 * is copied to the clipboard and the sign-in page is a plain link: in code-server, opening a
 * localhost URL through the API is rewritten to the port proxy, while a link opens as written.
 * The code is not logged: it is short-lived, but whoever enters it first signs in as the user.
 */
export function showDeviceCodePrompt(prompt: DeviceCodePrompt, options: { logger: Logger; onStep?: (message: string) => void }): void {
  options.logger.info(`Device code sign-in started (tenant ${prompt.tenantId}); waiting for the code to be entered at ${prompt.verificationUri}`);
  const message = vscode.l10n.t("Open [{0}]({0}) and enter the code {1} (copied to the clipboard).", prompt.verificationUri, prompt.userCode);
  void vscode.env.clipboard.writeText(prompt.userCode).then(undefined, () => undefined);
  if (options.onStep) {
    options.onStep(message);
    return;
  }
  void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Sign in to Azure"), cancellable: true }, async (progress, token) => {
    const cancel = token.onCancellationRequested(() => prompt.cancel());
    progress.report({ message });
    try {
      await prompt.finished;
    } finally {
      cancel.dispose();
    }
  });
}
