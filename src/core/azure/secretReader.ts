import { isCloudVaultHost } from "../cloud";
import { JitError } from "../errors";
import { type AzureContext, callAzure } from "./azureContext";
import type { SecretReader } from "../credential/secretReader";
import { statusOf } from "./azureErrors";

/** The Key Vault implementation of the credential module's `SecretReader` port. */
export type { SecretReader, SecretValue } from "../credential/secretReader";

interface ParsedSecretUri {
  vaultUrl: string;
  name: string;
  version?: string;
}

/** `https://{vault}/secrets/{name}[/{version}]`, the form of the `azure-jit-connect.secret` tag. */
export function parseSecretUri(secretUri: URL): ParsedSecretUri {
  const segments = secretUri.pathname.split("/").filter(Boolean);
  if (secretUri.protocol !== "https:" || segments.length < 2 || segments.length > 3 || segments[0]?.toLowerCase() !== "secrets" || !segments[1]) {
    throw new JitError("InvalidInput", `"${secretUri.href}" is not a Key Vault secret URI. Expected https://<vault>/secrets/<name>[/<version>] (check the VM tag azure-jit-connect.secret).`);
  }
  return { vaultUrl: `https://${secretUri.host}`, name: decodeURIComponent(segments[1]), version: segments[2] ? decodeURIComponent(segments[2]) : undefined };
}

/**
 * The SecretReader implementation: reads a secret with the Key Vault SDK. The URI comes from a VM
 * tag, which anyone allowed to tag the VM can set, so the vault host must belong to this cloud's Key
 * Vault service (`keyVaultDnsSuffix`) before any token is sent to it.
 */
export function createSecretReader(ctx: AzureContext): SecretReader {
  return async (secretUri, signal) => {
    const { vaultUrl, name, version } = parseSecretUri(secretUri);
    if (!isCloudVaultHost(ctx.cloud, new URL(vaultUrl))) {
      throw new JitError("VaultNotAllowed", `The secret URI points to ${new URL(vaultUrl).host}, which is not a Key Vault of the ${ctx.cloud.name} cloud (vault hosts must end with "${ctx.cloud.keyVaultDnsSuffix}"). No token was sent. Fix the VM tag azure-jit-connect.secret.`, { details: { vaultHost: new URL(vaultUrl).host } });
    }
    const what = `secret "${name}" in vault ${new URL(vaultUrl).host}`;
    try {
      const secret = await callAzure(ctx, `read ${what}`, () => ctx.clients.secrets(vaultUrl).getSecret(name, { version, abortSignal: signal }));
      if (secret.value === undefined) throw new JitError("SecretUnusable", `The ${what} has no value (it may be disabled).`);
      return { value: secret.value, contentType: secret.properties.contentType, name: secret.name, version: secret.properties.version ?? version ?? "", vaultUrl };
    } catch (e) {
      const status = statusOf(e);
      if (status === 404) {
        throw new JitError("SecretNotFound", `The ${what}${version ? ` (version ${version})` : ""} does not exist. Check the VM tag azure-jit-connect.secret or ask the VM owner where the credential is stored.`, { cause: e, details: { vault: vaultUrl, secret: name } });
      }
      if (status === 403) {
        throw new JitError("SecretForbidden", `You are not allowed to read the ${what}. Ask for the "Key Vault Secrets User" role on the vault (or an access policy with Get on secrets).`, { cause: e, details: { vault: vaultUrl, secret: name } });
      }
      throw e;
    }
  };
}
