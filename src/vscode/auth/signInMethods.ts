import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type * as vscode from "vscode";
import type { DeviceCodePrompt } from "../../core/azure/credentialConfig";
import { loadAzureSdk } from "../../core/azure/sdkLoader";
import { canSignInInteractively, type StepUpRequest } from "../../core/azure/stepUp";
import { armScope, type CloudEnvironment } from "../../core/cloud";
import { JitError } from "../../core/errors";
import type { Logger } from "../../core/logger";
import type { AuthMethod, JitConfig } from "../config";
import { checkSovereignSettings, VsCodeAccountCredential } from "./vscodeAccountCredential";

/** The Azure CLI's public client, the default for device-code sign-in (and what the simulator knows). */
export const AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/** A signed-in identity: the credential, and how to sign it in again with claims (step-up). */
export interface SignInCredential {
  method: AuthMethod;
  credential: TokenCredential;
  stepUp(request: StepUpRequest, signal?: AbortSignal): Promise<AccessToken>;
  /** Removes what this method keeps between sessions (sign-out). */
  forget?(): Promise<void> | Thenable<void>;
}

export interface SignInDeps {
  cloud: CloudEnvironment;
  auth: JitConfig["auth"];
  secrets: vscode.SecretStorage;
  /** False on the silent restore at activation: no prompt may appear. */
  interactive: boolean;
  /** Shows the device code (the VS Code layer's notification), or gives up a silent sign-in. */
  onDeviceCode: (prompt: DeviceCodePrompt) => void;
  logger?: Logger;
}

/**
 * Every method may try to sign in again without the user after a window reload: VS Code's account,
 * the Azure CLI and a service principal have their own stores; the device-code sign-in keeps its
 * token cache in SecretStorage (`deviceCodeCacheKey`), and a silent attempt that would need a new
 * code is abandoned instead of showing one.
 */
export function canSignInSilently(_method: AuthMethod): boolean {
  return true;
}

/** Where the device-code sign-in's MSAL token cache is kept (SecretStorage: it holds refresh tokens). */
export function deviceCodeCacheKey(cloud: CloudEnvironment, clientId: string): string {
  return `azureJit.deviceCodeTokenCache/${cloud.authorityHost.toLowerCase()}/${clientId.toLowerCase()}`;
}

/** Where the service principal's secret is kept (SecretStorage, per application id). */
export function servicePrincipalSecretKey(clientId: string): string {
  return `azureJit.servicePrincipalSecret/${clientId.toLowerCase()}`;
}

const withClaims = (credential: TokenCredential) => async (request: StepUpRequest, signal?: AbortSignal): Promise<AccessToken> => {
  const token = await credential.getToken(request.scopes, { claims: request.claims || undefined, tenantId: request.tenantId, enableCae: true, abortSignal: signal });
  if (!token) throw new JitError("AuthenticationFailed", "The sign-in returned no token.");
  return token;
};

/** Device code: a fresh sign-in shows a new code (a refresh would not carry MFA); claims ride along. */
const deviceCodeStepUp = (credential: TokenCredential) => async (request: StepUpRequest, signal?: AbortSignal): Promise<AccessToken> => {
  if (!request.freshSignIn || !canSignInInteractively(credential)) return withClaims(credential)(request, signal);
  return credential.signInInteractively(request.scopes, { tenantId: request.tenantId, claims: request.claims || undefined, abortSignal: signal });
};

/** Azure CLI: the extension cannot make `az` sign in again; the user runs the command named here. */
const azureCliStepUp = (credential: TokenCredential, cloud: CloudEnvironment) => async (request: StepUpRequest, signal?: AbortSignal): Promise<AccessToken> => {
  if (!request.freshSignIn) return withClaims(credential)(request, signal);
  // Only a GUID or a domain is echoed into the command line the user is told to run.
  const tenant = request.tenantId && /^[A-Za-z0-9.-]{1,253}$/.test(request.tenantId) ? ` --tenant ${request.tenantId}` : "";
  throw new JitError("StepUpRequired", `${request.message} The Azure CLI sign-in cannot be repeated from here. In a terminal, run: az login${tenant} --scope ${armScope(cloud)} and complete the multi-factor prompt, then request access again.`);
};

/** Service principal: an application cannot perform MFA, so an MFA policy cannot be met with it. */
const servicePrincipalStepUp = (credential: TokenCredential) => async (request: StepUpRequest, signal?: AbortSignal): Promise<AccessToken> => {
  if (!request.freshSignIn) return withClaims(credential)(request, signal);
  throw new JitError("StepUpRequired", `${request.message} A service principal cannot perform multi-factor authentication, so this role's policy cannot be met with it. Sign in as a user (setting azureJit.auth.method) for this role.`);
};

/**
 * Builds the credential for `azureJit.auth.method`. The Azure SDK's credentials come from the lazy
 * chunk, so the first sign-in (not activation) pays for loading it.
 */
export async function createSignInCredential(deps: SignInDeps): Promise<SignInCredential> {
  const { cloud, auth } = deps;
  switch (auth.method) {
    case "vscode": {
      checkSovereignSettings(cloud);
      const credential = new VsCodeAccountCredential(cloud, auth.tenantId, { interactive: deps.interactive });
      return { method: "vscode", credential, stepUp: (request) => credential.stepUp(request) };
    }
    case "deviceCode": {
      const sdk = await loadAzureSdk();
      const clientId = auth.clientId || AZURE_CLI_CLIENT_ID;
      const key = deviceCodeCacheKey(cloud, clientId);
      const credential = sdk.createCredential({
        method: "deviceCode",
        cloud,
        tenantId: auth.tenantId,
        clientId,
        userPrompt: deps.onDeviceCode,
        persistence: { load: async () => deps.secrets.get(key), save: async (serialized) => { await deps.secrets.store(key, serialized); } },
        ...(deps.logger ? { logger: deps.logger } : {}),
      });
      // With claims, the credential refreshes with them and, when Entra wants the user, shows a new code.
      return { method: "deviceCode", credential, stepUp: deviceCodeStepUp(credential), forget: () => deps.secrets.delete(key) };
    }
    case "azureCli": {
      const sdk = await loadAzureSdk();
      const tenantId = ["organizations", "common"].includes(auth.tenantId.toLowerCase()) ? undefined : auth.tenantId;
      const credential = sdk.createCredential({ method: "azureCli", cloud, ...(tenantId ? { tenantId } : {}) });
      return { method: "azureCli", credential, stepUp: azureCliStepUp(credential, cloud) };
    }
    case "servicePrincipal": {
      if (!auth.clientId) throw new JitError("InvalidSetting", "Setting azureJit.auth.clientId must hold the service principal's application id.");
      if (["organizations", "common", ""].includes(auth.tenantId.toLowerCase())) {
        throw new JitError("InvalidSetting", "Setting azureJit.auth.tenantId must name the service principal's tenant (an id or domain), not \"organizations\".");
      }
      const sdk = await loadAzureSdk();
      let credential: TokenCredential;
      if (auth.certificatePath) {
        credential = sdk.createCredential({ method: "servicePrincipal", cloud, tenantId: auth.tenantId, clientId: auth.clientId, certificatePath: auth.certificatePath });
      } else {
        const clientSecret = await deps.secrets.get(servicePrincipalSecretKey(auth.clientId));
        if (!clientSecret) throw new JitError("InvalidSetting", "No secret is stored for the service principal: run “Azure JIT: Set Service Principal Secret”, or set azureJit.auth.certificatePath.", { details: { command: "azureJit.setServicePrincipalSecret" } });
        credential = sdk.createCredential({ method: "servicePrincipal", cloud, tenantId: auth.tenantId, clientId: auth.clientId, clientSecret });
      }
      return { method: "servicePrincipal", credential, stepUp: servicePrincipalStepUp(credential) };
    }
  }
}
