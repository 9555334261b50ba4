import * as vscode from "vscode";

/**
 * The closed set of context keys this extension sets, with their defaults. Only this module calls
 * `setContext`, so every key used in a `when` clause of package.json is listed here.
 */
export interface ContextKeyValues {
  "azureJit.signedIn": boolean;
  "azureJit.signingIn": boolean;
  /** "loading" | "ready" | "empty" | "error" */
  "azureJit.inventoryState": "idle" | "loading" | "ready" | "empty" | "error";
  "azureJit.hasGrants": boolean;
  "azureJit.hasPending": boolean;
  "azureJit.demoMode": boolean;
}

export const CONTEXT_KEY_DEFAULTS: ContextKeyValues = {
  "azureJit.signedIn": false,
  "azureJit.signingIn": false,
  "azureJit.inventoryState": "idle",
  "azureJit.hasGrants": false,
  "azureJit.hasPending": false,
  "azureJit.demoMode": false,
};

export class ContextKeys {
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
}
