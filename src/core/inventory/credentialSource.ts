import type { CloudEnvironment } from "../cloud";
import { credentialSourceFor, type RememberedCredential } from "../credential/credentialSource";
import type { VmRecord } from "./types";

export { SECRET_TAG, USERNAME_TAG, type RememberedCredential } from "../credential/credentialSource";

export type CredentialSourceKind = "tag" | "remembered" | "unknown" | "invalid";

/** The credential facts readiness shows (the resolution itself lives in src/core/credential). */
export interface CredentialInfo {
  source: CredentialSourceKind;
  /** Key Vault secret URI (https://<vault>/secrets/<name>[/<version>]). */
  secretUri?: string;
  username?: string;
  /** Why a tag or remembered choice cannot be used (names the VM and the field). */
  problem?: string;
}

/** Tag first (the VM owner's statement), then the user's remembered choice; user defaults to the admin user. */
export function credentialFor(vm: VmRecord, remembered: RememberedCredential | undefined, cloud: CloudEnvironment): CredentialInfo {
  const source = credentialSourceFor(vm, remembered, cloud);
  switch (source.kind) {
    case "secret":
      return { source: source.origin, secretUri: source.secret.uri.href, username: source.user?.name };
    case "unknown":
      return { source: "unknown", username: source.user?.name };
    case "invalid":
      return { source: "invalid", problem: source.error.message };
  }
}
