import type { AzureContext } from "../azure/azureContext";
import { isCancellation } from "../cancellation";
import type { SecretLocation } from "../credential/secretUri";
import { isJitError, JitError } from "../errors";
import type { VmEntry } from "../inventory/loadInventory";
import { checkBeforePrivilege, secretReadability, type SecretVerdict } from "../preflight/privilegePreflight";

type EarlyRead = { ok: true } | { ok: false; error: unknown };

/**
 * A connection that needs access first is checked before any privilege is requested (see
 * preflight/privilegePreflight.ts). The Key Vault read started early tells most of it: read now,
 * it will be read then; refused now, the role definitions say whether the activation changes that.
 * Only "will not be readable" stops here; "cannot tell" goes on and is reported through `step`.
 */
export async function preflightConnect(
  ctx: AzureContext,
  vm: VmEntry,
  secret: SecretLocation,
  early: Promise<EarlyRead>,
  subscriptionIds: readonly string[],
  step: (text: string) => void,
  signal?: AbortSignal,
): Promise<SecretVerdict | undefined> {
  await checkBeforePrivilege(ctx, vm, "connect", signal);
  const read = await early;
  if (read.ok) return { verdict: "readable", reason: "read already" };
  if (isCancellation(read.error)) throw read.error;
  if (!isJitError(read.error)) return undefined;
  // A missing secret or a vault outside the cloud stays so after any activation.
  if (read.error.code === "SecretNotFound" || read.error.code === "VaultNotAllowed") throw read.error;
  if (read.error.code !== "SecretForbidden") return undefined;
  const verdict = await secretReadability(ctx, vm, secret.uri.toString(), subscriptionIds, signal);
  if (verdict.verdict === "notReadable") {
    throw new JitError("SecretForbidden", `The SSH credential of ${vm.name} will not be readable after access is granted, so no access was requested. ${verdict.reason}`, { cause: read.error, details: { vmId: vm.id, preflight: true } });
  }
  if (verdict.verdict === "unknown") step(`Key Vault access after activation: cannot tell (${verdict.reason}).`);
  return verdict;
}
