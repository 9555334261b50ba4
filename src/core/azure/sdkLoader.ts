import type * as AzureSdkModule from "./azureSdk";

/** The Azure SDK factories, loaded on first use (esbuild emits them as dist/azureSdk.js). */
export type AzureSdk = typeof AzureSdkModule;

let loading: Promise<AzureSdk> | undefined;

export function loadAzureSdk(): Promise<AzureSdk> {
  loading ??= import("./azureSdk");
  return loading;
}
