import { JitError } from "../errors";
import { deriveHostKeyAlias, type VmIdentity } from "./hostAlias";
import { describeUntrusted } from "./untrustedText";

/** The action the UI offers with a `HostKeyChanged` error (details.action). */
export const FORGET_HOST_KEY_ACTION = "forgetHostKey";

const CHANGED = /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for \S+ has changed and you have requested strict checking/;
const FINGERPRINT = /The fingerprint for the (\S+) key sent by the remote host is\s*\r?\n\s*(SHA256:[A-Za-z0-9+/]+)/;

/**
 * Recognises ssh's report of a host key that differs from the pinned one (its "REMOTE HOST
 * IDENTIFICATION HAS CHANGED" banner) and turns it into a `HostKeyChanged` error that names the VM
 * and offers the forget action. Returns undefined for any other stderr.
 *
 * The usual cause is a rebuilt or redeployed VM, but it is also exactly what an interception looks
 * like, so the message says both and nothing is forgotten without the user's say.
 */
export function recognizeHostKeyChanged(stderr: string, vm: VmIdentity): JitError | undefined {
  if (!CHANGED.test(stderr)) return undefined;
  const found = FINGERPRINT.exec(stderr);
  const hostKeyAlias = deriveHostKeyAlias(vm.id);
  return new JitError(
    "HostKeyChanged",
    `The SSH host key of VM ${describeUntrusted(vm.name)} is not the one pinned on first connection${found ? ` (it now presents ${found[1]} ${found[2]})` : ""}. ` +
      `If the VM was rebuilt or redeployed, forget its pinned host key and connect again; otherwise do not connect: someone may be intercepting the connection.`,
    {
      details: {
        action: FORGET_HOST_KEY_ACTION,
        vmId: vm.id,
        hostKeyAlias,
        keyType: found?.[1],
        fingerprint: found?.[2],
      },
    },
  );
}
