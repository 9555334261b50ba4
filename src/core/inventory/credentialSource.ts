import type { VmRecord } from "./types";

/** VM tags that say where the SSH credential lives (ARCHITECTURE.md, "Credential, SSH, tunnel"). */
export const SECRET_TAG = "azure-jit-connect.secret";
export const USERNAME_TAG = "azure-jit-connect.username";

export type CredentialSourceKind = "tag" | "remembered" | "unknown";

export interface CredentialInfo {
  source: CredentialSourceKind;
  /** Key Vault secret URI (https://<vault>/secrets/<name>[/<version>]). */
  secretUri?: string;
  username?: string;
}

/** What the user chose earlier for a VM without tags (the VS Code layer stores it). */
export interface RememberedCredential {
  secretUri: string;
  username?: string;
}

function tag(tags: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(tags).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : tags[key]?.trim();
  return value ? value : undefined;
}

/** Tag first (the VM owner's statement), then the user's remembered choice; user defaults to the admin user. */
export function credentialFor(vm: VmRecord, remembered?: RememberedCredential): CredentialInfo {
  const taggedSecret = tag(vm.tags, SECRET_TAG);
  const taggedUser = tag(vm.tags, USERNAME_TAG);
  if (taggedSecret) return { source: "tag", secretUri: taggedSecret, username: taggedUser ?? remembered?.username ?? vm.adminUsername };
  if (remembered) return { source: "remembered", secretUri: remembered.secretUri, username: remembered.username ?? taggedUser ?? vm.adminUsername };
  return { source: "unknown", username: taggedUser ?? vm.adminUsername };
}
