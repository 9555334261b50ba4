import { isCancellation } from "../cancellation";
import { JitError, isJitError, wrapError } from "../errors";
import { nullLogger, type Logger } from "../logger";
import { classifySecret } from "./classifySecret";
import type { KeyStore } from "./keyStore";
import type { PasswordStore } from "./passwordStore";
import type { SecretReader } from "./secretReader";
import type { SecretLocation } from "./secretUri";
import { readPublicKeyWithSshKeygen } from "./verifyKeyFile";

/** A VM credential ready for ssh, without the secret itself. */
export type VmCredential =
  | { kind: "key"; identityFile: string; keyType: string; publicKey: string; fingerprint: string; secretVersion: string }
  | { kind: "password"; secretVersion: string };

export interface MaterialiseDeps {
  readSecret: SecretReader;
  keyStore: KeyStore;
  passwords: PasswordStore;
  logger?: Logger;
  /** `ssh-keygen` to prove OpenSSH loads the written key; `false` skips the check (no OpenSSH tools at hand). */
  sshKeygenPath?: string | false;
}

/**
 * Reads a VM's secret and makes it usable by ssh for the duration of the access: a key becomes a
 * 0600 file in the KeyStore (checked with ssh-keygen), a password goes to the in-memory
 * PasswordStore for the askpass helper. The other kind is dropped for the alias, so a VM that
 * switched from password to key (or back) does not keep a stale credential around.
 */
export async function materialiseCredential(
  input: { alias: string; secret: SecretLocation; expiresAt: number },
  deps: MaterialiseDeps,
  signal?: AbortSignal,
): Promise<VmCredential> {
  const logger = deps.logger ?? nullLogger;
  let secret;
  try {
    secret = await deps.readSecret(input.secret.uri, signal);
  } catch (e) {
    if (isCancellation(e) || isJitError(e)) throw e;
    throw wrapError("AzureRequestFailed", "read the secret", `${input.secret.name} in ${input.secret.vaultUrl}`, e);
  }
  const classified = classifySecret(secret.value, { vaultUrl: secret.vaultUrl, name: secret.name });
  const from = `secret ${secret.name} (version ${secret.version}) in ${secret.vaultUrl}`;
  if (classified.kind === "password") {
    await deps.keyStore.remove(input.alias);
    deps.passwords.set(input.alias, classified.password, input.expiresAt);
    logger.info(`Using a password from ${from} for ${input.alias}`);
    return { kind: "password", secretVersion: secret.version };
  }
  deps.passwords.delete(input.alias);
  const identityFile = await deps.keyStore.write(input.alias, classified.keyText, input.expiresAt, signal);
  if (deps.sshKeygenPath !== false) {
    try {
      const loaded = await readPublicKeyWithSshKeygen(identityFile, deps.sshKeygenPath, signal);
      if (loaded !== classified.publicKey) {
        throw new JitError("SecretUnusable", `OpenSSH reads a different public key from ${from} than expected (${loaded.split(" ")[0] ?? "?"}); the key is not used.`);
      }
    } catch (e) {
      await deps.keyStore.remove(input.alias);
      throw e;
    }
  }
  const repaired = classified.repairs.length > 0 ? `; repaired: ${classified.repairs.join(", ")}` : "";
  logger.info(`Using SSH key ${classified.fingerprint} (${classified.keyType}, ${classified.format}${repaired}) from ${from} for ${input.alias}`);
  return { kind: "key", identityFile, keyType: classified.keyType, publicKey: classified.publicKey, fingerprint: classified.fingerprint, secretVersion: secret.version };
}
