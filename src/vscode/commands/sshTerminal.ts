import * as vscode from "vscode";
import type { ConnectionInfo } from "../../core/service/jitConnectService";

/**
 * An integrated terminal running `ssh` directly (no shell in between), with the service's argv
 * (`-F` our config, so it works without the Include block) and environment. For password VMs the
 * environment names the askpass helper and the host alias, never the password.
 */
export function openSshTerminal(info: ConnectionInfo): vscode.Terminal {
  const [shellPath, ...shellArgs] = info.ssh.argv;
  const terminal = vscode.window.createTerminal({
    name: vscode.l10n.t("SSH: {0}", info.vmName),
    shellPath,
    shellArgs,
    env: info.ssh.env,
    iconPath: new vscode.ThemeIcon("remote"),
  });
  terminal.show();
  return terminal;
}
