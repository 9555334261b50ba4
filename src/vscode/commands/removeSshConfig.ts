import * as vscode from "vscode";
import { notify } from "../notify";
import { CancellationError } from "../../core/cancellation";
import type { CommandHandler } from "./commandContext";

/** Removes our SSH config file, the Include block, keys and connection profiles (host keys on request). */
export const removeSshConfig: CommandHandler = async (ctx) => {
  const l10n = vscode.l10n;
  const service = await ctx.services.host.get();
  const remove = l10n.t("Remove");
  const removeAll = l10n.t("Remove and Forget Host Keys");
  const choice = await notify.warn(
    l10n.t("Remove Azure JIT Connect's SSH configuration?"),
    { modal: true, detail: l10n.t("This removes {0}, the Include line in {1}, the keys fetched from Key Vault and the list of connected VMs. Access in Azure is not changed.", service.paths.configFile, service.paths.userConfigFile) },
    remove,
    removeAll,
  );
  if (choice !== remove && choice !== removeAll) throw new CancellationError();
  await service.removeSshConfiguration({ forgetHostKeys: choice === removeAll });
  await ctx.services.consent.reset();
  void notify.info(l10n.t("Removed Azure JIT Connect's SSH configuration."));
};
