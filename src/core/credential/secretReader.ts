/**
 * The port through which the credential code reads a Key Vault secret. The Azure layer implements
 * it with the Key Vault SDK (`SecretClient.getSecret`), checks the vault host against the cloud
 * before sending a token, and maps failures to `SecretNotFound` / `SecretForbidden` /
 * `VaultNotAllowed`. Tests pass a function.
 */

/** A secret as Key Vault returns it. `value` is secret: never log it, put it in argv or an environment. */
export interface SecretValue {
  value: string;
  /** Free text set by whoever stored the secret (no convention exists for keys; informational only). */
  contentType?: string;
  name: string;
  /** The version actually read (the latest when the URI named none). */
  version: string;
  /** `https://<vault host>` without a trailing slash. */
  vaultUrl: string;
}

/** Reads the secret at `secretUri` (`https://<vault>/secrets/<name>[/<version>]`). */
export type SecretReader = (secretUri: URL, signal?: AbortSignal) => Promise<SecretValue>;
