import { throwIfAborted } from "../cancellation";
import type { CloudEnvironment } from "../cloud";
import { isJitError, type JitError } from "../errors";
import { validateUserName } from "../ssh/configValues";
import { parseSecretUri, type SecretLocation } from "./secretUri";

/**
 * Where a VM's SSH credential lives and which user logs in. In order: the VM's tags (set by whoever
 * administers the VM), else the choice the user made and we remembered, else unknown (the UI then
 * asks). The user name defaults to the VM's `osProfile.adminUsername`.
 */

/** Tag holding the secret URI: `https://<vault>/secrets/<name>[/<version>]`. */
export const SECRET_TAG = "azure-jit-connect.secret";
/** Tag holding the login user name. */
export const USERNAME_TAG = "azure-jit-connect.username";

/** The VM facts resolution needs (all untrusted). */
export interface CredentialVm {
  id: string;
  name: string;
  tags?: Readonly<Record<string, string>>;
  /** `properties.osProfile.adminUsername`. */
  adminUsername?: string;
}

/** A choice the user made for a VM without tags. */
export interface RememberedCredential {
  secretUri: string;
  userName?: string;
}

/** Port for remembered choices (globalState in the extension), keyed by the lower-cased VM id. */
export interface CredentialChoiceStore {
  get(vmId: string): Promise<RememberedCredential | undefined>;
  set(vmId: string, choice: RememberedCredential): Promise<void>;
  delete(vmId: string): Promise<void>;
}

/** An in-memory store (tests, and sessions where nothing should persist). */
export class MemoryCredentialChoiceStore implements CredentialChoiceStore {
  private readonly choices = new Map<string, RememberedCredential>();
  async get(vmId: string): Promise<RememberedCredential | undefined> {
    return this.choices.get(vmId.toLowerCase());
  }
  async set(vmId: string, choice: RememberedCredential): Promise<void> {
    this.choices.set(vmId.toLowerCase(), { ...choice });
  }
  async delete(vmId: string): Promise<void> {
    this.choices.delete(vmId.toLowerCase());
  }
}

/** The login user and where the name came from (named when it is refused). */
export interface UserChoice {
  name: string;
  origin: "tag" | "remembered" | "adminUsername";
  /** e.g. `tag "azure-jit-connect.username"`. */
  field: string;
}

export type CredentialSource =
  | { kind: "secret"; secret: SecretLocation; origin: "tag" | "remembered"; user: UserChoice | undefined }
  | { kind: "unknown"; user: UserChoice | undefined }
  /** A tag or the remembered choice is present but unusable: show `error` (it names VM and field). */
  | { kind: "invalid"; error: JitError };

/** Azure tag names are case-insensitive. */
function tag(vm: CredentialVm, name: string): string | undefined {
  for (const [key, value] of Object.entries(vm.tags ?? {})) {
    if (key.toLowerCase() === name && value.trim() !== "") return value.trim();
  }
  return undefined;
}

const TAG_FIELD = (name: string): string => `tag "${name}"`;
const REMEMBERED_FIELD = "the remembered credential choice";

function chooseUser(vm: CredentialVm, remembered: RememberedCredential | undefined): UserChoice | undefined {
  const fromTag = tag(vm, USERNAME_TAG);
  const choice: UserChoice | undefined =
    fromTag !== undefined
      ? { name: fromTag, origin: "tag", field: TAG_FIELD(USERNAME_TAG) }
      : remembered?.userName
        ? { name: remembered.userName, origin: "remembered", field: REMEMBERED_FIELD }
        : vm.adminUsername
          ? { name: vm.adminUsername, origin: "adminUsername", field: "osProfile.adminUsername" }
          : undefined;
  if (choice) validateUserName(choice.name, { vmName: vm.name, field: choice.field });
  return choice;
}

/**
 * Resolves a VM's credential source from its tags and the remembered choice (already read).
 * Synchronous so that the inventory can compute readiness for thousands of VMs without awaiting.
 * Never throws for bad data: that is `kind: "invalid"`, whose error names the VM and the field.
 */
export function credentialSourceFor(vm: CredentialVm, remembered: RememberedCredential | undefined, cloud: CloudEnvironment): CredentialSource {
  const fromTag = tag(vm, SECRET_TAG);
  const choice = fromTag === undefined ? remembered : undefined;
  try {
    const user = chooseUser(vm, choice);
    if (fromTag !== undefined) {
      return { kind: "secret", secret: parseSecretUri(fromTag, { vmName: vm.name, field: TAG_FIELD(SECRET_TAG) }, cloud), origin: "tag", user };
    }
    if (choice) {
      return { kind: "secret", secret: parseSecretUri(choice.secretUri, { vmName: vm.name, field: REMEMBERED_FIELD }, cloud), origin: "remembered", user };
    }
    return { kind: "unknown", user };
  } catch (e) {
    if (isJitError(e)) return { kind: "invalid", error: e };
    throw e;
  }
}

/** Resolves a VM's credential source, reading the remembered choice from the store. */
export async function resolveCredentialSource(vm: CredentialVm, store: CredentialChoiceStore, cloud: CloudEnvironment, signal?: AbortSignal): Promise<CredentialSource> {
  throwIfAborted(signal);
  const remembered = tag(vm, SECRET_TAG) === undefined ? await store.get(vm.id.toLowerCase()) : undefined;
  throwIfAborted(signal);
  return credentialSourceFor(vm, remembered, cloud);
}

/** Validates, then remembers the user's choice for a VM without tags. Throws the validation error. */
export async function rememberCredentialChoice(vm: CredentialVm, choice: RememberedCredential, store: CredentialChoiceStore, cloud: CloudEnvironment): Promise<SecretLocation> {
  const secret = parseSecretUri(choice.secretUri, { vmName: vm.name, field: REMEMBERED_FIELD }, cloud);
  if (choice.userName !== undefined) validateUserName(choice.userName, { vmName: vm.name, field: REMEMBERED_FIELD });
  await store.set(vm.id.toLowerCase(), { secretUri: secret.uri.href, ...(choice.userName !== undefined ? { userName: choice.userName } : {}) });
  return secret;
}
