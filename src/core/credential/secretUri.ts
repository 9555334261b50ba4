import { isCloudVaultHost, type CloudEnvironment } from "../cloud";
import { JitError } from "../errors";
import { describeUntrusted } from "../ssh/untrustedText";

/** A validated Key Vault secret location. */
export interface SecretLocation {
  /** Canonical `https://<vault>/secrets/<name>[/<version>]`, with nothing else (no query, no fragment). */
  uri: URL;
  /** `https://<vault host>[:port]`. */
  vaultUrl: string;
  name: string;
  /** A 32-hex version, or undefined for "the latest". */
  version: string | undefined;
}

/** Where a secret URI came from, for the error that refuses it. */
export interface SecretUriOrigin {
  vmName: string;
  /** e.g. `tag "azure-jit-connect.secret"` or `the remembered choice`. */
  field: string;
}

/** Key Vault object names: 1–127 letters, digits and dashes; versions: 32 hex digits. */
const SECRET_PATH = /^\/secrets\/([0-9A-Za-z-]{1,127})(?:\/([0-9A-Fa-f]{32}))?\/?$/;

/**
 * Validates a secret URI from a VM tag (anyone with tag-write access sets it) or from storage: https,
 * no credentials, query or fragment, path `/secrets/<name>[/<version>]`, and a host that belongs to
 * this cloud's Key Vault service, so that a vault token is never sent anywhere else.
 */
export function parseSecretUri(text: string, origin: SecretUriOrigin, cloud: CloudEnvironment): SecretLocation {
  const bad = (problem: string): JitError =>
    new JitError(
      "InvalidInput",
      `The Key Vault secret URI ${describeUntrusted(text)} of VM ${describeUntrusted(origin.vmName)} (from ${origin.field}) ${problem}. ` +
        `Set ${origin.field} to a secret URI such as https://<vault>${cloud.keyVaultDnsSuffix.startsWith(".") ? cloud.keyVaultDnsSuffix : ""}/secrets/<name>.`,
      { details: { field: origin.field } },
    );
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw bad("is not a URL");
  }
  if (url.protocol !== "https:") throw bad("must use https");
  if (url.username !== "" || url.password !== "") throw bad("must not contain a user name or password");
  if (url.search !== "" || url.hash !== "") throw bad("must not have a query or fragment");
  const match = SECRET_PATH.exec(url.pathname);
  if (!match?.[1]) throw bad("must have the path /secrets/<name> or /secrets/<name>/<version>");
  if (!isCloudVaultHost(cloud, url)) {
    throw new JitError(
      "VaultNotAllowed",
      `The Key Vault secret URI of VM ${describeUntrusted(origin.vmName)} (from ${origin.field}) points at ${url.host}, which is not a Key Vault of ${cloud.name} (hosts ending in ${cloud.keyVaultDnsSuffix}). No token is sent there.`,
      { details: { field: origin.field, host: url.host } },
    );
  }
  const name = match[1];
  const version = match[2]?.toLowerCase();
  const vaultUrl = url.origin;
  return { uri: new URL(`${vaultUrl}/secrets/${name}${version ? `/${version}` : ""}`), vaultUrl, name, version };
}
