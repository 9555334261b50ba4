import { type ErrorCode, isJitError, JitError } from "../errors";
import type { Inventory } from "../inventory/loadInventory";

/**
 * A refused sign-in (the token or the refresh token is no longer accepted: it expired on Azure's
 * clock, was revoked, or the identity provider restarted) is not "some VMs could not be read": the
 * whole picture would be wrong. The inventory load then fails with one NotSignedIn error marked
 * `signInRefused`, and the last known inventory stays in place (the VS Code layer shows it as stale,
 * with "Sign in again").
 */

const REFUSAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["NotSignedIn", "AuthenticationFailed"]);

export function isSignInRefusal(e: unknown): e is JitError {
  return isJitError(e) && (e.details.signInRefused === true || REFUSAL_CODES.has(e.code));
}

export function signInRefused(cause: unknown): JitError {
  return new JitError("NotSignedIn", "Azure no longer accepts your sign-in (it expired, was revoked, or the identity service restarted). The list shows the last known state. Sign in again to refresh it.", { cause, details: { signInRefused: true } });
}

/** Throws when a load came back with sign-in refusals instead of data. */
export function throwIfSignInRefused(inventory: Pick<Inventory, "partialErrors">): void {
  const refused = inventory.partialErrors.find((p) => REFUSAL_CODES.has(p.code as ErrorCode));
  if (refused) throw signInRefused(new JitError(refused.code as ErrorCode, refused.message));
}

/** Runs an inventory load, turning sign-in refusals (thrown or partial) into one `signInRefused` error. */
export async function loadOrRefuse(load: () => Promise<Inventory>): Promise<Inventory> {
  let inventory: Inventory;
  try {
    inventory = await load();
  } catch (e) {
    throw isSignInRefusal(e) ? signInRefused(e) : e;
  }
  throwIfSignInRefused(inventory);
  return inventory;
}
