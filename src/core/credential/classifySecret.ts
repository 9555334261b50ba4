import { JitError } from "../errors";
import { sshFingerprint } from "../ssh/fingerprint";
import { describeUntrusted } from "../ssh/untrustedText";
import { looksArmored, readArmoredBlock, type ArmorProblem, type KeyRepair } from "./armoredKey";
import { parseOpenSshPrivateKey } from "./opensshKey";
import { describePemKey, pemTypeOf } from "./pemKey";

/**
 * Decides what a Key Vault secret holds: an SSH private key we can hand to OpenSSH, a password, or
 * something unusable. The key's text is repaired where Key Vault storage commonly mangles it (see
 * armoredKey.ts). Errors name the vault and the secret, never the value, and explain what to store.
 */

/** Which secret, for messages. */
export interface SecretOrigin {
  vaultUrl: string;
  name: string;
}

export type KeyFormat = "openssh" | "pkcs1" | "sec1" | "pkcs8";

export interface ClassifiedKey {
  kind: "privateKey";
  /** The format the secret held. */
  format: KeyFormat;
  /** SSH algorithm, e.g. `ssh-ed25519`. */
  keyType: string;
  /** The key file to write: canonical text OpenSSH reads (secret). */
  keyText: string;
  /** `<type> <base64>`: the public half, for logs and "add this to authorized_keys" hints. */
  publicKey: string;
  /** `SHA256:…`, as ssh-keygen -l prints it. */
  fingerprint: string;
  /** What was repaired in the stored text (for a log line). */
  repairs: KeyRepair[];
}

export interface ClassifiedPassword {
  kind: "password";
  /** The password (secret); a single final line break is removed. */
  password: string;
  repairs: "trailing-newline"[];
}

export type ClassifiedSecret = ClassifiedKey | ClassifiedPassword;

/** Azure VM passwords are at most 123 characters; longer single lines are more likely damaged keys. */
const MAX_PASSWORD = 256;
const PUBLIC_KEY_LINE = /^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-\S+|sk-\S+)\s+AAAA/;
const SUPPORTED_OPENSSH = new Set(["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"]);

function unusable(origin: SecretOrigin, reason: string, fix: string): JitError {
  const name = /^[A-Za-z0-9-]{1,127}$/.test(origin.name) ? `"${origin.name}"` : describeUntrusted(origin.name);
  return new JitError("SecretUnusable", `Secret ${name} in vault ${origin.vaultUrl} cannot be used to sign in over SSH: ${reason}. ${fix}`, {
    details: { vaultUrl: origin.vaultUrl, secretName: origin.name },
  });
}

const STORE_KEY = "Store an unencrypted OpenSSH or PEM private key file as the secret value (for example: az keyvault secret set --file <key file>).";

const ARMOR_PROBLEMS: Record<ArmorProblem, string> = {
  "text-outside": "it holds other text besides the private key",
  "several-blocks": "it holds more than one key or certificate",
  unterminated: "the private key has no matching END line (it is cut short)",
  "bad-base64": "the key's body is not valid base64 (it is damaged)",
};

/** Classifies a secret value. Throws `SecretUnusable` (naming vault and secret) when it is neither a usable key nor a password. */
export function classifySecret(value: string, origin: SecretOrigin): ClassifiedSecret {
  if (looksArmored(value)) return classifyKey(value, origin);
  if (value.startsWith("PuTTY-User-Key-File-")) {
    throw unusable(origin, "it is a PuTTY key (.ppk)", "Convert it with PuTTYgen (Conversions > Export OpenSSH key) and store that file instead.");
  }
  const password = value.replace(/\r?\n$/, "");
  if (PUBLIC_KEY_LINE.test(password)) throw unusable(origin, "it is a public key, not a private key", STORE_KEY);
  if (password.length === 0) throw unusable(origin, "it is empty", "Store the VM's password or private key as the secret value.");
  if (/[\r\n]/.test(password)) throw unusable(origin, "it has several lines but is not a private key", STORE_KEY);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(password)) throw unusable(origin, "it contains control characters, so it is neither a password nor a key", "Store the VM's password or private key as the secret value.");
  if (password.length > MAX_PASSWORD) throw unusable(origin, `it is a single line of ${password.length} characters, too long for a password and not a private key`, STORE_KEY);
  return { kind: "password", password, repairs: password === value ? [] : ["trailing-newline"] };
}

function classifyKey(value: string, origin: SecretOrigin): ClassifiedKey {
  const block = readArmoredBlock(value);
  if (typeof block === "string") throw unusable(origin, ARMOR_PROBLEMS[block], STORE_KEY);
  const passphrase = () => unusable(origin, "passphrase-protected keys are not supported", "Store the key without a passphrase (ssh-keygen -p -N \"\" -f <key file>), in a vault only you can read.");

  if (block.label === "OPENSSH PRIVATE KEY") {
    let info;
    try {
      info = parseOpenSshPrivateKey(block.der);
    } catch (e) {
      throw unusable(origin, `the OpenSSH private key is damaged (${e instanceof Error ? e.message : "unreadable"})`, STORE_KEY);
    }
    if (info.encrypted) throw passphrase();
    if (!SUPPORTED_OPENSSH.has(info.keyType)) {
      throw unusable(origin, `${describeUntrusted(info.keyType)} keys cannot be used here (security-key and DSA keys need hardware or are disabled in OpenSSH)`, "Store an Ed25519, RSA or ECDSA key.");
    }
    return key("openssh", info.keyType, block.canonical, info.publicBlob, block.repairs);
  }
  if (block.label === "ENCRYPTED PRIVATE KEY" || block.headers.some((h) => /^Proc-Type:\s*4,ENCRYPTED/i.test(h))) throw passphrase();
  const type = pemTypeOf(block.label);
  if (!type) {
    const what = /PRIVATE KEY/.test(block.label) ? `a ${block.label} is not supported` : `it holds a ${block.label}, not a private key`;
    throw unusable(origin, what, STORE_KEY);
  }
  const pem = describePemKey(block.der, type);
  if ("problem" in pem) throw unusable(origin, pem.problem, STORE_KEY);
  return key(type, pem.keyType, pem.opensshText ?? block.canonical, pem.publicBlob, block.repairs);
}

function key(format: KeyFormat, keyType: string, keyText: string, publicBlob: Buffer, repairs: KeyRepair[]): ClassifiedKey {
  return { kind: "privateKey", format, keyType, keyText, publicKey: `${keyType} ${publicBlob.toString("base64")}`, fingerprint: sshFingerprint(publicBlob), repairs };
}
