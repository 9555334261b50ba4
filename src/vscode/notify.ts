import * as vscode from "vscode";
import { displaySafeMessageArgs } from "./notifyText";

/**
 * Notifications, the one way the extension shows a message: VM names, tags and Azure's error texts
 * end up in them, so the text goes through `displaySafeMessageArgs`. Same signatures as
 * `vscode.window.show*Message`.
 */
type Show = typeof vscode.window.showInformationMessage;
type AnyShow = (message: string, ...rest: unknown[]) => Thenable<unknown>;

function safe(show: AnyShow): Show {
  return ((message: string, ...rest: unknown[]) => show(...displaySafeMessageArgs(message, rest))) as Show;
}

export const notify = {
  info: safe((...a) => vscode.window.showInformationMessage(...(a as Parameters<Show>))),
  warn: safe((...a) => vscode.window.showWarningMessage(...(a as Parameters<Show>))),
  error: safe((...a) => vscode.window.showErrorMessage(...(a as Parameters<Show>))),
};
