import * as vscode from "vscode";
import type { Disposable } from "vscode";

import { CONTEXT_KEY_DEFAULTS, type ContextKeyValues } from "./contextKeyValues";

export type { ContextKey, ContextKeyValues, InventoryState } from "./contextKeyValues";

/**
 * Sets the closed set of context keys (contextKeyValues.ts). The only module that calls
 * `setContext`, and it skips calls that would not change anything (each one round-trips to the
 * renderer).
 */
export class ContextKeys implements Disposable {
  private readonly values: ContextKeyValues = { ...CONTEXT_KEY_DEFAULTS };

  /** Sets every key to its default (call once on activation). */
  async initialise(): Promise<void> {
    await Promise.all(Object.entries(this.values).map(([k, v]) => vscode.commands.executeCommand("setContext", k, v)));
  }

  get<K extends keyof ContextKeyValues>(key: K): ContextKeyValues[K] {
    return this.values[key];
  }

  /** Sets a key; does nothing when the value is unchanged (setContext round-trips to the renderer). */
  async set<K extends keyof ContextKeyValues>(key: K, value: ContextKeyValues[K]): Promise<void> {
    if (this.values[key] === value) return;
    this.values[key] = value;
    await vscode.commands.executeCommand("setContext", key, value);
  }

  /** Resets the keys, so that a window whose extension stopped shows no stale menus. */
  dispose(): void {
    for (const [key, value] of Object.entries(CONTEXT_KEY_DEFAULTS)) void vscode.commands.executeCommand("setContext", key, value);
  }
}
