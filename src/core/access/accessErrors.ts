import { CancellationError } from "../cancellation";
import { describeDuration } from "../azure/isoDuration";
import { JitError, errorMessage, isJitError } from "../errors";
import { describePolicyRules, type PimFailure } from "./pimErrors";

/** "14:05 UTC": times in messages are Azure's (UTC); the VS Code layer shows local times from the fields. */
export function formatTime(ms: number | undefined): string {
  return ms === undefined ? "" : `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}

/** One kind of cancellation for callers (the SDK throws its own AbortError). */
export function asCancellation(e: unknown): Error {
  return e instanceof CancellationError ? e : new CancellationError();
}

/** A refused activation or extension, in plain words (the SDK error stays in `cause`). */
export function activationError(e: unknown, failure: PimFailure, req: { roleName?: string; vmName: string }, verb = "activate"): Error {
  const role = `"${req.roleName ?? "the role"}"`;
  if (failure.kind === "policy") {
    return new JitError("PolicyViolation", `PIM refused to ${verb} ${role} for ${req.vmName}: ${describePolicyRules(failure.rules)}.`, { cause: (e as { cause?: unknown }).cause ?? e, details: { rules: failure.rules.join(",") } });
  }
  if (failure.kind === "needsClaims" || failure.kind === "needsMfa") {
    return new JitError("StepUpRequired", `PIM still requires ${failure.kind === "needsMfa" ? "multi-factor authentication" : "a Conditional Access authentication context"} to ${verb} ${role} for ${req.vmName} after signing in again. Complete every prompt of the sign-in (including MFA) and retry.`, { cause: (e as { cause?: unknown }).cause ?? e });
  }
  if (isJitError(e) && e.code === "AzureRequestFailed") return new JitError("ActivationFailed", `Could not ${verb} ${role} for ${req.vmName}: ${e.message.replace(/^Could not [^:]+: /, "")}`, { cause: e.cause });
  return e instanceof Error ? e : new JitError("ActivationFailed", `Could not ${verb} ${role} for ${req.vmName}: ${errorMessage(e)}`, { cause: e });
}

/** PIM's 5-minute rule, naming the time deactivation becomes possible. */
export function tooSoon(vmName: string, possibleAt: number, now: number, cause?: unknown): JitError {
  return new JitError("DeactivateTooSoon", `PIM does not allow deactivating a role within 5 minutes of its activation. You can deactivate it on ${vmName} from ${formatTime(possibleAt)} (in ${describeDuration(Math.max(60_000, possibleAt - now))}).`, {
    cause,
    details: { possibleAt: new Date(possibleAt).toISOString() },
  });
}
