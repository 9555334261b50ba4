import * as vscode from "vscode";

/**
 * Extensions that resolve `ssh-remote+<host>` authorities: Microsoft's Remote-SSH and the forks
 * that editors built on VS Code ship instead (the same list Coder supports), in preference order.
 */
export const REMOTE_SSH_EXTENSION_IDS = [
  "ms-vscode-remote.remote-ssh",
  "anysphere.remote-ssh",
  "codeium.windsurf-remote-openssh",
  "jeanp413.open-remote-ssh",
  "google.antigravity-remote-openssh",
] as const;

/** The first installed Remote-SSH implementation, or undefined. */
export function findRemoteSshExtension(): vscode.Extension<unknown> | undefined {
  for (const id of REMOTE_SSH_EXTENSION_IDS) {
    const ext = vscode.extensions.getExtension(id);
    if (ext) return ext;
  }
  return undefined;
}

/** The extension to offer when none is installed: Microsoft's on VS Code, the open one elsewhere. */
export function remoteSshExtensionToInstall(): string {
  return vscode.env.appName.includes("Visual Studio Code") ? "ms-vscode-remote.remote-ssh" : "jeanp413.open-remote-ssh";
}

/** The remote authority of a host alias, as Remote-SSH and its forks register it. */
export function remoteAuthorityFor(alias: string): string {
  return `ssh-remote+${alias}`;
}

/**
 * Remote-SSH settings known to break tunnels run as a stdio ProxyCommand. `useExecServer` (rolled
 * out by A/B experiment) fails with "Failed to parse remote port" behind a ProxyCommand
 * (microsoft/vscode-remote-release#10331, #11136, #10939).
 */
export function remoteSshSettingsThatBreakTunnels(): { key: string; value: unknown; fix: unknown }[] {
  const cfg = vscode.workspace.getConfiguration("remote.SSH");
  const problems: { key: string; value: unknown; fix: unknown }[] = [];
  const execServer = cfg.inspect<boolean>("useExecServer");
  const effective = execServer?.globalValue ?? execServer?.workspaceValue ?? execServer?.defaultValue;
  if (effective === true) problems.push({ key: "remote.SSH.useExecServer", value: true, fix: false });
  return problems;
}

/** The SSH config file Remote-SSH reads (its own setting), so our Include block goes there. */
export function remoteSshConfigFile(): string | undefined {
  const value = vscode.workspace.getConfiguration("remote.SSH").get<string>("configFile");
  return value && value.trim() ? value.trim() : undefined;
}
