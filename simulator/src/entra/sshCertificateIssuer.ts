/**
 * Entra's SSH-certificate flavour of the token endpoint: a token request with
 * `token_type=ssh-cert`, `req_cnf=<JWK>` and `key_id=<kid>` for the scope of the "Azure Linux VM
 * Sign-In" app (`https://pas.windows.net/CheckMyAccess/Linux/.default` or the app id form) answers
 * with `token_type: "ssh-cert"` and the base64 OpenSSH user certificate as `access_token`
 * (Azure/azure-cli-extensions src/ssh/azext_ssh/custom.py `_get_and_write_certificate`; MSAL
 * `AuthenticationScheme.SSH`). Certificate: key id `<oid>@<tid>`, principal the UPN, about one hour,
 * extensions `tid@`, `oid@` and `displayname@sshservice.azure.net` (libhimmelblau src/ssh.rs).
 */
import { aadError } from "./aadErrors";
import type { SshCertificateAuthority } from "./sshCertificateAuthority";
import { parseSshKeyRequest } from "./sshCertificateRequest";

/** The "Azure Linux VM Sign-In" first-party app (Conditional Access targets it). */
export const LINUX_VM_SIGN_IN_APP_ID = "ce6ff14a-7fdc-4685-bbe0-f6afdfcfa8e0";
/** The resource of the public cloud's PAS scope; the simulator answers for this identifier too (nothing is contacted). */
export const PAS_LINUX_RESOURCE = "https://pas.windows.net/CheckMyAccess/Linux";

/** True when `resource` (from a `<resource>/.default` scope) names the Azure Linux VM Sign-In app. */
export function isLinuxVmSignInResource(resource: string): boolean {
  const r = resource.trim().replace(/\/+$/, "").toLowerCase();
  return r === PAS_LINUX_RESOURCE.toLowerCase() || r === LINUX_VM_SIGN_IN_APP_ID;
}

/** Certificate lifetime: Entra's is about an hour and cannot be configured (azure-cli-extensions#3565). */
export const SSH_CERT_LIFETIME_SECONDS = 3599;
/** Back-dating of the validity start, as `ssh-keygen -V -5m:` would, against small clock differences. */
const BACKDATE_MS = 5 * 60_000;

export interface SshCertRequestFields {
  tokenType: string;
  reqCnf: string | null;
  keyId: string | null;
}

/** The ssh-cert fields of a token request form, or undefined when it asks for an ordinary token. */
export function sshCertFields(form: URLSearchParams): SshCertRequestFields | undefined {
  const tokenType = form.get("token_type");
  if (tokenType === null || tokenType.toLowerCase() === "bearer") return undefined;
  return { tokenType, reqCnf: form.get("req_cnf"), keyId: form.get("key_id") };
}

export interface SshCertSubject {
  upn: string;
  displayName: string;
  objectId: string;
  tenantId: string;
}

export interface SshCertResponse {
  token_type: "ssh-cert";
  scope: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
}

/**
 * Signs the requested key for `subject`. Refusals are `invalid_request`: a missing `req_cnf` with
 * AADSTS900144 (Entra's code for a missing body parameter), any other bad key or token type with
 * AADSTS90100 ("the parameter is empty or not valid"); Entra's exact code for these is not
 * documented (FIDELITY.md: assumed). The product shows the description either way.
 */
export async function issueSshCertificate(
  ca: SshCertificateAuthority,
  args: { fields: SshCertRequestFields; subject: SshCertSubject; scope: string; simNowMs: number },
): Promise<SshCertResponse> {
  if (args.fields.tokenType !== "ssh-cert") throw aadError(400, "invalid_request", 90100, `The token_type '${args.fields.tokenType}' is not supported.`, args.simNowMs);
  if (!args.fields.reqCnf) throw aadError(400, "invalid_request", 900144, "The request body must contain the following parameter: 'req_cnf'.", args.simNowMs);
  const parsed = parseSshKeyRequest(args.fields.reqCnf, args.fields.keyId);
  if (!parsed.ok) throw aadError(400, "invalid_request", 90100, `Invalid request parameter 'req_cnf'. ${parsed.reason}`, args.simNowMs);
  // sshd on the simulated VM checks validity against the machine's clock, not the simulated one.
  const machineNow = Date.now();
  const certificate = await ca.sign({
    publicKeyLine: parsed.request.publicKeyLine,
    keyId: `${args.subject.objectId}@${args.subject.tenantId}`,
    principals: [args.subject.upn],
    extensions: {
      "tid@sshservice.azure.net": args.subject.tenantId,
      "oid@sshservice.azure.net": args.subject.objectId,
      "displayname@sshservice.azure.net": args.subject.displayName,
    },
    validFromMs: machineNow - BACKDATE_MS,
    validToMs: machineNow + SSH_CERT_LIFETIME_SECONDS * 1000,
  });
  return { token_type: "ssh-cert", scope: args.scope, expires_in: SSH_CERT_LIFETIME_SECONDS, ext_expires_in: SSH_CERT_LIFETIME_SECONDS, access_token: certificate };
}
