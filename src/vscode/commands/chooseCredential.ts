import * as vscode from "vscode";
import { notify } from "../notify";
import { looksLikeSecretUri, looksLikeUserName } from "../inputRules";
import { inputText } from "../quickInput";
import type { CommandHandler } from "./commandContext";
import { hasToken, signedInService, targetVm } from "./vmTarget";

/**
 * For VMs without the `azure-jit-connect.secret` tag (or to override nothing: a tag always wins):
 * which Key Vault secret holds the SSH key or password, and the login user. Remembered per VM.
 * A VM that allows Microsoft Entra ID login first asks which login method to use (per VM; "the
 * setting" forgets the choice).
 */
export const chooseCredential: CommandHandler = async (ctx, arg) => {
  const l10n = vscode.l10n;
  const vm = await targetVm(ctx, arg, { filter: hasToken("ssh:yes"), placeholder: l10n.t("Choose the credential of which VM?"), none: l10n.t("No VM can be reached over SSH.") });
  if (!vm) return;
  const service = await signedInService(ctx);
  if (vm.entraLoginRole) {
    const choices = [
      { label: l10n.t("Microsoft Entra ID"), detail: l10n.t("A short-lived SSH certificate for your account; no stored secret."), method: "entraId" as const },
      { label: l10n.t("Key Vault secret…"), detail: l10n.t("An SSH key or password stored in Key Vault."), method: "keyVault" as const },
      { label: l10n.t("As the setting says"), detail: l10n.t("azureJit.connect.loginMethod decides for this VM."), method: undefined },
    ];
    const picked = await vscode.window.showQuickPick(choices, { title: l10n.t("Login method for {0}", vm.name), placeHolder: l10n.t("How should Connect log in to {0}?", vm.name) });
    if (!picked) return;
    await service.entra.setMethodChoice(vm.id, picked.method);
    if (picked.method !== "keyVault") {
      await ctx.services.refresher.refresh();
      return;
    }
  }
  const current = vm.readiness.credential;
  if (current.source === "tag") {
    void notify.info(l10n.t("{0} names its credential in the azure-jit-connect.secret tag; the tag takes precedence over a choice made here.", vm.name));
  }
  const title = l10n.t("Credential for {0}", vm.name);
  const secretUri = await inputText({
    title,
    step: 1,
    totalSteps: 2,
    prompt: l10n.t("Key Vault secret holding the SSH private key or password"),
    placeholder: "https://<vault>.vault.azure.net/secrets/<name>",
    value: current.secretUri ?? "",
    validate: (v) => (looksLikeSecretUri(v) ? undefined : l10n.t("Enter a secret URI such as https://my-vault.vault.azure.net/secrets/vm-key.")),
  });
  const userName = await inputText({
    title,
    step: 2,
    totalSteps: 2,
    prompt: l10n.t("User name on the VM"),
    value: current.username ?? vm.adminUsername ?? "",
    validate: (v) => (looksLikeUserName(v) ? undefined : l10n.t("Enter a user name (letters, digits, '.', '_', '-').")),
  });
  await service.rememberCredential(vm.id, { secretUri: secretUri.trim(), userName: userName.trim() });
  void notify.info(l10n.t("{0} will sign in as {1} with that secret.", vm.name, userName.trim()));
  await ctx.services.refresher.refresh();
};
