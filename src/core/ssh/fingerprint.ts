import { createHash } from "node:crypto";

/** `SHA256:<base64>` fingerprint of an SSH public key blob, exactly as ssh and ssh-keygen print it. Not a secret. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}
