import { getArmAccessToken, type AzureContext } from "../azure/azureContext";
import { authContextClaims } from "../azure/claims";
import { armScope } from "../cloud";
import type { StepUpReason } from "../azure/stepUp";
import { decodeTokenClaims, missingTokenRequirements, type TokenRequirements } from "../azure/tokenClaims";

/**
 * The claims request that satisfies `req`: only an authentication context can be asked for. MFA
 * cannot: Entra ID documents no claims request for it (an `amr` request is ignored, `amr_values` is
 * refused by v2), so MFA comes from a fresh interactive sign-in (azure-facts §2).
 */
export function claimsFor(req: TokenRequirements): string | undefined {
  return req.authenticationContext ? authContextClaims(req.authenticationContext) : undefined;
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
  if (!missing.mfa && !missing.authenticationContext) return false;
  await ctx.credential.stepUp(
    {
      scopes: [armScope(ctx.cloud)],
      claims: claimsFor(missing) ?? "",
      freshSignIn: missing.mfa === true,
      tenantId,
      reason: missing.authenticationContext ? "authenticationContext" : "mfa",
      message: `The PIM policy for ${forWhat} requires ${describe(missing)}.`,
    },
    signal,
  );
  return true;
}

/**
 * Step-up after PIM refused an activation: with the claims it named (authentication context, a CAE
 * challenge), or, for its MfaRule (which names no claims), a fresh interactive sign-in.
 */
export async function stepUpAfterRefusal(ctx: AzureContext, tenantId: string, refusal: { claims?: string; reason: StepUpReason }, forWhat: string, signal?: AbortSignal): Promise<void> {
  const message =
    refusal.reason === "authenticationContext"
      ? `PIM requires a Conditional Access authentication context to activate ${forWhat}.`
      : refusal.reason === "mfa"
        ? `PIM requires multi-factor authentication to activate ${forWhat}: sign in again and complete the MFA prompt.`
        : `Azure asked for a fresh sign-in to continue with ${forWhat}.`;
  await ctx.credential.stepUp({ scopes: [armScope(ctx.cloud)], claims: refusal.claims ?? "", freshSignIn: refusal.reason === "mfa", tenantId, reason: refusal.reason, message }, signal);
}
