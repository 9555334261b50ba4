import * as vscode from "vscode";
import { isCancellation } from "../../core/cancellation";
import type { SecretListing, VaultChoice, VaultListing } from "../../core/credential/vaultListing";
import { errorMessage } from "../../core/errors";
import type { VmEntry } from "../../core/inventory/loadInventory";
import { escapeForDisplay } from "../../core/redact";
import type { JitConnectService } from "../../core/service/jitConnectService";
import { notify } from "../notify";
import { looksLikeSecretUri, looksLikeUserName } from "../inputRules";
import { inputText, pickOneLoading, type StepInfo } from "../quickInput";
import type { CommandHandler } from "./commandContext";
import { hasToken, signedInService, targetVm } from "./vmTarget";

/**
 * For VMs without the `azure-jit-connect.secret` tag (or to override nothing: a tag always wins):
 * which Key Vault secret holds the SSH key or password, and the login user. Remembered per VM.
 * The vaults of the VM's subscription the user can see are offered (the VM's own first), then the
 * secrets of the chosen vault; "Type a secret URI…" is always there, and is what remains when Azure
 * will not list (the reason is shown on it). A VM that allows Microsoft Entra ID login first asks
 * which login method to use (per VM; "the setting" forgets the choice).
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
  const secretUri = await chooseSecretUri(service, vm, title);
  const userName = await inputText({
    title,
    step: 3,
    totalSteps: 3,
    prompt: l10n.t("User name on the VM"),
    value: current.username ?? vm.adminUsername ?? "",
    validate: (v) => (looksLikeUserName(v) ? undefined : l10n.t("Enter a user name (letters, digits, '.', '_', '-').")),
  });
  await service.credentials.remember(vm.id, { secretUri: secretUri.trim(), userName: userName.trim() });
  void notify.info(l10n.t("{0} will sign in as {1} with that secret.", vm.name, userName.trim()));
  await ctx.services.refresher.refresh();
};

/** What a pick offers: a vault, a secret (its URI), or typing a URI (with a prefix to start from). */
type Choice = vscode.QuickPickItem & ({ vault: VaultChoice } | { secretUri: string } | { typed: string } | { separator: true });

/** Vault, then secret, or a typed URI at either step. Resolves with the secret URI. */
async function chooseSecretUri(service: JitConnectService, vm: VmEntry, title: string): Promise<string> {
  const l10n = vscode.l10n;
  const currentUri = vm.readiness.credential.secretUri ?? "";
  const step = (n: number): StepInfo => ({ title, step: n, totalSteps: 3 });
  const vaultPick = await pickOneLoading<Choice>({
    ...step(1),
    placeholder: l10n.t("Which Key Vault holds the SSH key or password of {0}?", vm.name),
    loadingPlaceholder: l10n.t("Listing the Key Vaults you can see…"),
    load: async (signal) => vaultItems(await settle(() => service.credentials.listVaults(vm.id, signal)), currentUri, subscriptionNamesOf(service)),
  });
  if ("typed" in vaultPick) return typeSecretUri(step(2), vaultPick.typed);
  if (!("vault" in vaultPick)) return typeSecretUri(step(2), currentUri);
  const vault = vaultPick.vault;
  const secretPick = await pickOneLoading<Choice>({
    ...step(2),
    placeholder: l10n.t("Which secret in {0}?", vault.name),
    loadingPlaceholder: l10n.t("Listing the secrets of {0}…", vault.name),
    load: async (signal) => secretItems(await settle(() => service.credentials.listSecrets(vault.vaultUrl, signal)), vault),
  });
  if ("secretUri" in secretPick) return secretPick.secretUri;
  return typeSecretUri(step(2), "typed" in secretPick ? secretPick.typed : `${vault.vaultUrl}/secrets/`);
}

/** A listing, or the reason it failed (cancellation keeps flowing: it is never shown as a failure). */
async function settle<T extends VaultListing | SecretListing>(list: () => Promise<T>): Promise<T | { kind: "cannotList"; reason: string }> {
  try {
    return await list();
  } catch (e) {
    if (isCancellation(e)) throw e;
    return { kind: "cannotList", reason: errorMessage(e) };
  }
}

function typedItem(prefix: string, detail: string): Choice {
  return { label: `$(edit) ${vscode.l10n.t("Type a secret URI…")}`, detail, alwaysShow: true, typed: prefix };
}

/** Azure's text on a pick: control and bidi characters escaped, no codicon syntax. */
function shown(text: string): string {
  return escapeForDisplay(text).replace(/\$\(/g, "$\u200b(");
}

/** Subscription id (lower case) → display name, from the inventory (for the vaults' detail line). */
function subscriptionNamesOf(service: JitConnectService): Map<string, string> {
  return new Map((service.availableScopes()?.subscriptions ?? []).map((s) => [s.subscriptionId.toLowerCase(), s.displayName]));
}

function vaultItems(listing: VaultListing, currentUri: string, subscriptionNames: ReadonlyMap<string, string>): Choice[] {
  const l10n = vscode.l10n;
  if (listing.kind === "cannotList") return [typedItem(currentUri, shown(l10n.t("The Key Vaults could not be listed: {0}", listing.reason)))];
  const near = { current: l10n.t("holds this VM's secret now"), sameResourceGroup: l10n.t("in the VM's resource group"), sameSubscription: "", otherSubscription: l10n.t("another subscription") };
  const items: Choice[] = listing.vaults.map((vault) => ({
    label: `$(key) ${vault.name}`,
    description: near[vault.nearness],
    detail: shown([vault.resourceGroup, subscriptionNames.get(vault.subscriptionId.toLowerCase()) ?? vault.subscriptionId].filter(Boolean).join(" · ")),
    vault,
  }));
  const none = l10n.t("No Key Vault you can see in the subscriptions of this VM's tenant. Type the URI of a secret you can read.");
  if (items.length > 0) items.push({ label: "", kind: vscode.QuickPickItemKind.Separator, separator: true });
  items.push(typedItem(currentUri, items.length > 0 ? l10n.t("A secret in a vault not listed here (another tenant, or a subscription that is not listed).") : none));
  return items;
}

function secretItems(listing: SecretListing, vault: VaultChoice): Choice[] {
  const l10n = vscode.l10n;
  const prefix = `${vault.vaultUrl}/secrets/`;
  if (listing.kind === "cannotList") return [typedItem(prefix, shown(l10n.t("The secrets of {0} could not be listed: {1}", vault.name, listing.reason)))];
  const kind = { sshKey: l10n.t("SSH key"), password: l10n.t("password") };
  const items: Choice[] = listing.secrets.map((s) => ({
    label: s.name,
    description: [s.looksLike ? kind[s.looksLike] : "", s.expired ? l10n.t("expired") : "", s.updatedOn !== undefined ? l10n.t("updated {0}", new Date(s.updatedOn).toLocaleDateString()) : ""].filter(Boolean).join(" · "),
    secretUri: s.uri,
  }));
  const notes = [
    listing.disabled > 0 ? l10n.t("{0} disabled secret(s) not shown.", listing.disabled) : "",
    listing.truncated ? l10n.t("Only the first {0} secrets are listed.", listing.secrets.length) : "",
  ].filter(Boolean);
  const none = items.length === 0 ? l10n.t("No enabled secret in {0}.", vault.name) : l10n.t("A secret not listed here.");
  if (items.length > 0) items.push({ label: "", kind: vscode.QuickPickItemKind.Separator, separator: true });
  items.push(typedItem(prefix, [none, ...notes].join(" ")));
  return items;
}

function typeSecretUri(info: StepInfo, value: string): Promise<string> {
  const l10n = vscode.l10n;
  return inputText({
    ...info,
    prompt: l10n.t("Key Vault secret holding the SSH private key or password"),
    placeholder: "https://<vault>.vault.azure.net/secrets/<name>",
    value,
    validate: (v) => (looksLikeSecretUri(v) ? undefined : l10n.t("Enter a secret URI such as https://my-vault.vault.azure.net/secrets/vm-key.")),
  });
}
