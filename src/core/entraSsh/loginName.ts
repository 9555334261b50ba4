import { JitError } from "../errors";
import { describeUntrusted } from "../ssh/untrustedText";

/**
 * The SSH login name of an Entra ID user: the certificate's first principal (the UPN), lower-cased,
 * exactly as the Azure CLI does (`get_ssh_cert_principals` in azure-cli-extensions ssh_utils.py): a
 * guest's UPN differs from their e-mail address, so the account name is never used. It comes from
 * Entra and ends up in our SSH config (`User`), so only a plain `local@domain` shape is accepted:
 * letters, digits and `._-` in the local part, a DNS name after the `@`. Nothing that ssh_config
 * could read as a token (`%`), a quote or whitespace.
 */
const LOGIN_NAME = /^[a-z0-9_][a-z0-9._-]{0,63}@[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*$/;

export function isEntraLoginName(name: string): boolean {
  return name.length <= 255 && LOGIN_NAME.test(name);
}

export function entraLoginName(principals: readonly string[], vmName: string): string {
  const first = principals[0];
  if (first === undefined) throw new JitError("EntraCertificateInvalid", `The SSH certificate for ${describeUntrusted(vmName)} names no user (it has no principal). Try again.`);
  const name = first.toLowerCase();
  if (!isEntraLoginName(name)) {
    throw new JitError(
      "EntraLoginNameInvalid",
      `Your Entra ID user name ${describeUntrusted(first)} cannot be used as an SSH login name (only letters, digits, ".", "_", "-" and one "@" are accepted). Connect to ${describeUntrusted(vmName)} with a Key Vault credential instead, or ask your administrator about your user principal name.`,
    );
  }
  return name;
}
