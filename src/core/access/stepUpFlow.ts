import { getArmAccessToken, type AzureContext } from "../azure/azureContext";
import { authContextClaims, mergeClaims, mfaClaims } from "../azure/claims";
import { armScope } from "../cloud";
import type { StepUpReason } from "../azure/stepUp";
import { decodeTokenClaims, missingTokenRequirements, type TokenRequirements } from "../azure/tokenClaims";

/** The claims request that satisfies `req` (MFA and/or an authentication context). */
export function claimsFor(req: TokenRequirements): string | undefined {
  const parts = [req.mfa ? mfaClaims() : undefined, req.authenticationContext ? authContextClaims(req.authenticationContext) : undefined].filter((x): x is string => x !== undefined);
  return parts.length > 0 ? mergeClaims(...parts) : undefined;
}

function describe(req: TokenRequirements): string {
  const parts = [req.mfa ? "multi-factor authentication" : undefined, req.authenticationContext ? `Conditional Access authentication context "${req.authenticationContext}"` : undefined].filter(Boolean);
  return parts.join(" and ");
}

/**
 * Makes sure the ARM token of `tenantId` meets what the PIM policy requires before activating:
 * otherwise PIM refuses the request and the user would sign in again anyway, after a failure.
 * Resolves true when a step-up sign-in happened (SDK clients were recreated by then).
 */
export async function ensureTokenMeets(ctx: AzureContext, tenantId: string, req: TokenRequirements, forWhat: string, signal?: AbortSignal): Promise<boolean> {
  if (!req.mfa && !req.authenticationContext) return false;
  const token = await getArmAccessToken(ctx, tenantId, signal);
  const missing = missingTokenRequirements(decodeTokenClaims(token.token), req);
  const claims = claimsFor(missing);
  if (!claims) return false;
  await ctx.credential.stepUp(
    { scopes: [armScope(ctx.cloud)], claims, tenantId, reason: missing.authenticationContext ? "authenticationContext" : "mfa", message: `The PIM policy for ${forWhat} requires ${describe(missing)}.` },
    signal,
  );
  return true;
}

/** Step-up after PIM refused an activation for lack of claims (auth context, MFA or a CAE challenge). */
export async function stepUpWithClaims(ctx: AzureContext, tenantId: string, claims: string, reason: StepUpReason, forWhat: string, signal?: AbortSignal): Promise<void> {
  const message =
    reason === "authenticationContext"
      ? `PIM requires a Conditional Access authentication context to activate ${forWhat}.`
      : reason === "mfa"
        ? `PIM requires multi-factor authentication to activate ${forWhat}.`
        : `Azure asked for a fresh sign-in to continue with ${forWhat}.`;
  await ctx.credential.stepUp({ scopes: [armScope(ctx.cloud)], claims, tenantId, reason, message }, signal);
}
