import { restErrorInfo } from "../azure/azureErrors";
import { isCancellation } from "../cancellation";
import type { CloudEnvironment } from "../cloud";
import type { KeyStore } from "../credential/keyStore";
import { JitError, errorMessage, isJitError } from "../errors";
import type { Logger } from "../logger";
import { describeUntrusted } from "../ssh/untrustedText";
import { sshCertificateScope, type SshCertificateSource } from "./certificateSource";
import { entraLoginName } from "./loginName";
import { certificateLine, parseEntraSshCertificate } from "./sshCertificate";
import { createEntraSshKeyPair } from "./sshKeyPair";

/** An Entra ID SSH credential on disk: the key and its certificate, and who it logs in as. */
export interface EntraSshCredential {
  kind: "certificate";
  identityFile: string;
  certificateFile: string;
  /** The login name: the certificate's first principal, lower-cased and validated. */
  userName: string;
  /** ms since the epoch (the certificate's own validity, on the machine's clock). */
  certificateExpiresAt: number;
}

export interface IssueEntraCredentialInput {
  alias: string;
  vmName: string;
  tenantId: string;
  cloud: CloudEnvironment;
  /** When the grant ends: the key and certificate are removed then at the latest. */
  grantEndsAt: number;
}

export interface IssueEntraCredentialDeps {
  source: SshCertificateSource;
  keys: KeyStore;
  logger: Logger;
}

/**
 * A fresh key pair (never reused across grants or renewals), its certificate from Entra ID, both
 * written 0600 under the alias (the key store removes them with the grant). No Key Vault secret is
 * read. The private key goes from memory to the 0600 file only; the certificate is public.
 */
export async function issueEntraCredential(deps: IssueEntraCredentialDeps, input: IssueEntraCredentialInput, signal?: AbortSignal): Promise<EntraSshCredential> {
  const key = await createEntraSshKeyPair();
  let blob: string;
  try {
    blob = await deps.source.acquireSshCertificate({ tenantId: input.tenantId, scope: sshCertificateScope(input.cloud), requestJwk: key.requestJwk, kid: key.kid }, signal);
  } catch (e) {
    throw certificateError(e, input.vmName);
  }
  const certificate = parseEntraSshCertificate(blob, key);
  const userName = entraLoginName(certificate.principals, input.vmName);
  const identityFile = await deps.keys.write(input.alias, key.privateKeyPem, input.grantEndsAt, signal);
  const certificateFile = await deps.keys.writeCertificate(input.alias, certificateLine(certificate), signal);
  deps.logger.info(`Got an Entra ID SSH certificate for ${userName} (key id ${describeUntrusted(certificate.keyId)}) valid until ${new Date(certificate.validBefore).toISOString()}.`);
  return { kind: "certificate", identityFile, certificateFile, userName, certificateExpiresAt: certificate.validBefore };
}

/** Conditional Access on "Azure Linux VM Sign-In" refuses at issuance: say which control and what to do. */
const CA_REFUSALS: Record<string, string> = {
  "50076": "requires multi-factor authentication for Linux VM sign-in. Sign in again and complete the MFA prompt, then connect again.",
  "50079": "requires you to register multi-factor authentication first. Register it, sign in again, then connect again.",
  "53000": "requires a compliant, managed device for Linux VM sign-in. Connect from a device your organisation manages, or use a Key Vault credential.",
  "53001": "requires a domain-joined device for Linux VM sign-in. Connect from such a device, or use a Key Vault credential.",
  "53003": "blocks Linux VM sign-in from here. Your administrator can see which policy in the Entra ID sign-in logs; connect with a Key Vault credential meanwhile.",
};

function certificateError(e: unknown, vmName: string): unknown {
  if (isCancellation(e) || isJitError(e)) return e;
  const text = [errorMessage(e), restErrorInfo(e)?.message ?? ""].join(" ");
  const code = /AADSTS(\d+)/.exec(text)?.[1];
  const refusal = code ? CA_REFUSALS[code] : undefined;
  if (refusal) return new JitError("EntraCertificateRefused", `Microsoft Entra ID refused the SSH certificate for ${describeUntrusted(vmName)}: Conditional Access ${refusal}`, { cause: e, details: { aadsts: code } });
  return new JitError("AuthenticationFailed", `Microsoft Entra ID did not issue an SSH certificate for ${describeUntrusted(vmName)}${code ? ` (AADSTS${code})` : ""}. Sign in again, then connect again.`, { cause: e });
}
