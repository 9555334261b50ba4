import * as vscode from "vscode";

/**
 * Composition root. Placeholder until the VS Code layer lands (issue 4): it only proves that the
 * bundle activates and registers a command, for the test harness.
 */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("Azure JIT Connect", { log: true });
  context.subscriptions.push(log, vscode.commands.registerCommand("azureJit.showLog", () => log.show()));
  log.info("Azure JIT Connect activated");
}

export function deactivate(): void {
  // Nothing yet.
}
