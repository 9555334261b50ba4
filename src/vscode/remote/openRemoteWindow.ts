import * as vscode from "vscode";
import { remoteAuthorityFor } from "./remoteSshExtensions";

/**
 * Opens a new window on `ssh-remote+<alias>`, which Remote-SSH and its forks resolve through the
 * user's SSH config (our Include block brings the host, ProxyCommand and key in). With a folder,
 * `vscode.openFolder` on `vscode-remote://ssh-remote+<alias>/<folder>`; else an empty remote window.
 */
export async function openRemoteWindow(alias: string, folder: string): Promise<void> {
  const authority = remoteAuthorityFor(alias);
  if (folder.trim()) {
    const path = folder.trim().startsWith("/") ? folder.trim() : `/${folder.trim()}`;
    await vscode.commands.executeCommand("vscode.openFolder", vscode.Uri.from({ scheme: "vscode-remote", authority, path }), { forceNewWindow: true });
  } else {
    await vscode.commands.executeCommand("vscode.newWindow", { remoteAuthority: authority, reuseWindow: false });
  }
}
