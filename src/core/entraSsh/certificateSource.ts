import type { CloudEnvironment } from "../cloud";

/**
 * Who can get an Entra ID SSH certificate, and how (docs/ENTRA_SSH.md has the table):
 * - device code (MSAL Node, our own sign-in): a silent refresh-token request on the signed-in account
 *   with `extraParameters` {token_type: "ssh-cert", req_cnf, key_id} and forceRefresh. msal-node sets
 *   the Bearer scheme on every request, so its own `sshJwk` field is dropped; `extraParameters`
 *   reaches the refresh-token body (msal-common RefreshTokenClient). This is what the Azure CLI
 *   does with MSAL Python (`acquire_token_silent_with_error(..., data=…)`).
 * - service principal: client credentials with the same fields (the CLI's `acquire_token_for_client`);
 *   @azure/identity cannot add body fields, so it is not offered yet.
 * - Azure CLI sign-in: `az ssh cert` could produce one; not offered yet.
 * - VS Code's own account: its authentication API has no way to pass body fields; not possible.
 */
export interface SshCertificateRequest {
  /** The tenant the VM belongs to: the certificate's key id names it, and the VM checks it. */
  tenantId: string;
  scope: string;
  /** JWK JSON of the RSA public key (`req_cnf`). */
  requestJwk: string;
  kid: string;
}

export interface SshCertificateSource {
  /** The base64 certificate blob (the response's `access_token`). */
  acquireSshCertificate(request: SshCertificateRequest, signal?: AbortSignal): Promise<string>;
}

/** The credential's SSH-certificate ability, when it has one (checked structurally: credentials cross bundles). */
export function sshCertificateSourceOf(credential: unknown): SshCertificateSource | undefined {
  if (typeof credential !== "object" || credential === null) return undefined;
  const candidate = credential as Partial<SshCertificateSource> & { sshCertificateSource?: () => SshCertificateSource | undefined };
  if (typeof candidate.sshCertificateSource === "function") return candidate.sshCertificateSource();
  return typeof candidate.acquireSshCertificate === "function" ? (candidate as SshCertificateSource) : undefined;
}

/** The "Azure Linux VM Sign-In" app (ce6ff14a-7fdc-4685-bbe0-f6afdfcfa8e0); Conditional Access targets it. */
export const LINUX_VM_SIGN_IN_APP_ID = "ce6ff14a-7fdc-4685-bbe0-f6afdfcfa8e0";

const PAS_SCOPES: Record<string, string> = {
  AzureCloud: "https://pas.windows.net/CheckMyAccess/Linux/.default",
  AzureChinaCloud: "https://pas.chinacloudapi.cn/CheckMyAccess/Linux/.default",
  AzureUSGovernment: "https://pasff.usgovcloudapi.net/CheckMyAccess/Linux/.default",
};

/**
 * The scope an SSH certificate is requested for, per cloud (Azure/azure-cli-extensions
 * src/ssh/azext_ssh/constants.py). A custom cloud may name its own (`customCloud.sshCertificateScope`);
 * otherwise the public cloud's identifier is used (it is only a scope, no host is contacted).
 */
export function sshCertificateScope(cloud: CloudEnvironment): string {
  return cloud.sshCertificateScope ?? PAS_SCOPES[cloud.name] ?? PAS_SCOPES.AzureCloud!;
}
