import * as vscode from "vscode";
import { type ConfigImpact, impactsOf } from "./config";

/** Settings edits arrive in bursts (the Settings editor writes per keystroke): wait this long. */
export const CONFIG_DEBOUNCE_MS = 200;

/**
 * Calls `onChange` once per burst of settings changes that concern us, with what they require of
 * the running extension (see `ConfigImpact`).
 */
export function watchConfig(onChange: (impacts: Set<ConfigImpact>) => void, debounceMs = CONFIG_DEBOUNCE_MS): vscode.Disposable {
  let pending = new Set<ConfigImpact>();
  let timer: NodeJS.Timeout | undefined;
  const subscription = vscode.workspace.onDidChangeConfiguration((e) => {
    const impacts = impactsOf((section) => e.affectsConfiguration(section));
    if (impacts.size === 0) return;
    for (const i of impacts) pending.add(i);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const batch = pending;
      pending = new Set();
      onChange(batch);
    }, debounceMs);
  });
  return new vscode.Disposable(() => {
    if (timer) clearTimeout(timer);
    subscription.dispose();
  });
}
