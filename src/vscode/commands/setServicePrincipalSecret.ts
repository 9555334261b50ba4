import * as vscode from "vscode";
import { notify } from "../notify";
import { servicePrincipalSecretKey } from "../auth/signInMethods";
import { JitError } from "../../core/errors";
import { inputText } from "../quickInput";
import type { CommandHandler } from "./commandContext";

/** Stores the service principal's client secret in VS Code's SecretStorage (never in settings). */
export const setServicePrincipalSecret: CommandHandler = async (ctx) => {
  const l10n = vscode.l10n;
  const { auth } = ctx.services.config();
  if (!auth.clientId) throw new JitError("InvalidSetting", "Set azureJit.auth.clientId to the service principal's application id first.", { details: { setting: "azureJit.auth.clientId" } });
  const secret = await inputText({ title: l10n.t("Service principal secret"), prompt: l10n.t("Client secret of application {0} (stored in VS Code's secret storage)", auth.clientId), password: true, validate: (v) => (v.trim() ? undefined : l10n.t("Enter the secret.")) });
  await ctx.services.context.secrets.store(servicePrincipalSecretKey(auth.clientId), secret.trim());
  ctx.services.log.info(`Stored a secret for service principal ${auth.clientId}`);
  const signIn = l10n.t("Sign In");
  const choice = await notify.info(l10n.t("The secret is stored."), signIn);
  if (choice === signIn) await vscode.commands.executeCommand("azureJit.signIn");
};
