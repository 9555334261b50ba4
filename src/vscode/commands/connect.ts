import * as vscode from "vscode";
import { notify } from "../notify";
import { CancellationError } from "../../core/cancellation";
import type { ConnectionInfo } from "../../core/service/jitConnectService";
import { openRemoteWindow } from "../remote/openRemoteWindow";
import { findRemoteSshExtension, remoteSshExtensionToInstall, remoteSshSettingsThatBreakTunnels } from "../remote/remoteSshExtensions";
import { announcePendingApproval, withAccessProgress } from "./accessProgress";
import type { CommandContext, CommandHandler } from "./commandContext";
import { openSshTerminal } from "./sshTerminal";
import { allOf, hasToken, signedInService, targetVm } from "./vmTarget";

/**
 * The one gesture: access if needed (PIM, JIT), the Key Vault credential, the SSH config, then a
 * Remote-SSH window on the host alias, or an SSH terminal (`azureJit.connect.method`, or when no
 * Remote-SSH is installed).
 */
export const connect: CommandHandler = async (ctx, arg) => {
  const l10n = vscode.l10n;
  const vm = await targetVm(ctx, arg, {
    filter: allOf(hasToken("ssh:yes"), hasToken("blocked:no")),
    placeholder: l10n.t("Connect to which VM?"),
    none: l10n.t("No VM can be reached over SSH."),
  });
  if (!vm) return;
  const service = await signedInService(ctx);
  const target = await chooseTarget(ctx);
  if (target === "remote") await offerTunnelSafeSettings();

  const outcome = await withAccessProgress(ctx, vm, l10n.t("Connecting to {0}", vm.name), (signal, step) => service.connect(vm.id, signal, step));
  if (outcome.kind === "pendingApproval") return announcePendingApproval(vm.id, vm.name);
  const info = outcome.value;

  if (target === "terminal") {
    openSshTerminal(info);
    if (ctx.services.config().connect.method === "auto") void suggestRemoteSsh();
    return;
  }
  if (!info.includeInstalled) return explainMissingInclude(ctx, info);
  ctx.services.log.info(`Opening a Remote-SSH window on ${info.alias} (${vm.name})`);
  await openRemoteWindow(info.alias, ctx.services.config().connect.remoteFolder);
};

/** Remote-SSH window or terminal, per `azureJit.connect.method` and what is installed. */
async function chooseTarget(ctx: CommandContext): Promise<"remote" | "terminal"> {
  const method = ctx.services.config().connect.method;
  if (method === "terminal") return "terminal";
  if (findRemoteSshExtension()) return "remote";
  if (method === "auto") return "terminal";
  const l10n = vscode.l10n;
  const install = l10n.t("Install Remote-SSH");
  const terminal = l10n.t("Open SSH Terminal");
  const choice = await notify.warn(l10n.t("Remote-SSH is not installed, so a remote window cannot be opened. Install it, or use an SSH terminal this time."), install, terminal);
  if (choice === terminal) return "terminal";
  if (choice !== install) throw new CancellationError();
  await vscode.commands.executeCommand("workbench.extensions.installExtension", remoteSshExtensionToInstall());
  return "remote";
}

/** `remote.SSH.useExecServer` breaks stdio ProxyCommand tunnels: offer to turn it off. */
async function offerTunnelSafeSettings(): Promise<void> {
  const problems = remoteSshSettingsThatBreakTunnels();
  if (problems.length === 0) return;
  const l10n = vscode.l10n;
  const turnOff = l10n.t("Turn It Off");
  const anyway = l10n.t("Continue Anyway");
  const choice = await notify.warn(
    l10n.t("Remote-SSH's setting remote.SSH.useExecServer makes connections through a ProxyCommand fail (\"Failed to parse remote port\"). Turn it off?"),
    { modal: true },
    turnOff,
    anyway,
  );
  if (choice === undefined) throw new CancellationError();
  if (choice === turnOff) {
    for (const p of problems) await vscode.workspace.getConfiguration().update(p.key, p.fix, vscode.ConfigurationTarget.Global);
  }
}

/** The user declined the Include block: Remote-SSH reads only the user's SSH config, so it cannot see the host. */
async function explainMissingInclude(ctx: CommandContext, info: ConnectionInfo): Promise<void> {
  const l10n = vscode.l10n;
  const terminal = l10n.t("Open SSH Terminal");
  const add = l10n.t("Add the Include Line");
  const choice = await notify.warn(
    l10n.t("Remote-SSH cannot see {0}: {1} does not include Azure JIT Connect's SSH configuration (you declined the Include line). Add it, or use an SSH terminal.", info.alias, info.userConfigFile),
    add,
    terminal,
  );
  if (choice === terminal) openSshTerminal(info);
  else if (choice === add) {
    await ctx.services.consent.allow();
    await vscode.commands.executeCommand("azureJit.connect", info.grant.vmId);
  }
}

async function suggestRemoteSsh(): Promise<void> {
  const install = vscode.l10n.t("Install Remote-SSH");
  const choice = await notify.info(vscode.l10n.t("Opened an SSH terminal. With Remote-SSH installed, Connect opens a VS Code window on the VM instead."), install);
  if (choice === install) await vscode.commands.executeCommand("workbench.extensions.installExtension", remoteSshExtensionToInstall());
}
