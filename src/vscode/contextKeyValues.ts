/**
 * The context keys this extension sets, with their defaults (no `vscode` import, so the manifest
 * test can check every `when` clause against this list). Only ContextKeys (contextKeys.ts) sets them.
 */
export interface ContextKeyValues {
  "azureJit.signedIn": boolean;
  "azureJit.signingIn": boolean;
  /** Drives the welcome views: "empty" and "error" have one each. */
  "azureJit.inventoryState": InventoryState;
  /** Some VM has active access (Extend, Deactivate, Show Active Access). */
  "azureJit.hasGrants": boolean;
  /** Some access request is under way or waits for approval (Cancel Access Request). */
  "azureJit.hasPending": boolean;
  /** A port forward runs (Stop Port Forwarding). */
  "azureJit.hasForwards": boolean;
  /** `azureJit.demo.simulatorControlUrl` is set (the demo commands). */
  "azureJit.demoMode": boolean;
  /** Azure refused the sign-in on the last refresh: the tree is stale and offers "Sign in again". */
  "azureJit.signInRefused": boolean;
}

export type InventoryState = "idle" | "loading" | "ready" | "empty" | "error";

export type ContextKey = keyof ContextKeyValues;

export const CONTEXT_KEY_DEFAULTS: ContextKeyValues = {
  "azureJit.signedIn": false,
  "azureJit.signingIn": false,
  "azureJit.inventoryState": "idle",
  "azureJit.hasGrants": false,
  "azureJit.hasPending": false,
  "azureJit.hasForwards": false,
  "azureJit.demoMode": false,
  "azureJit.signInRefused": false,
};

