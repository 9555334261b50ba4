/**
 * Conditional Access at token issuance. Modelled from Entra's documented behaviour: a policy
 * applies to its users and cloud apps (resources); a policy bound to an authentication context
 * applies only when the client asks for that context (`acrs` claims request). Grant controls map
 * to the documented errors: MFA → AADSTS50076 (interaction_required), compliant device →
 * AADSTS53000, block / untrusted location → AADSTS53003. Several failing policies: the blocking
 * ones win (53003, then 53000, then 50076), since no interaction can fix them.
 * Guess: service principals are only subject to policies that opt in (`includeServicePrincipals`),
 * mirroring "Conditional Access for workload identities" being a separate policy type.
 */
import type { ConditionalAccessSpec } from "../scenario/schema";
import type { TenantModel } from "../world/model";
import type { ClaimsRequest } from "./claimsRequest";

/** `linuxVmSignIn`: the "Azure Linux VM Sign-In" app (ce6ff14a-…), which issues SSH certificates. */
export type ResourceKind = "arm" | "keyvault" | "linuxVmSignIn";

/** The sign-in context a token request carries. */
export interface SignInContext {
  subject: { kind: "user"; upn: string } | { kind: "servicePrincipal"; displayName: string };
  mfa: boolean;
  deviceCompliant: boolean;
  location: string;
}

export type AccessDecision =
  | { ok: true; acrs: string[] }
  | { ok: false; failure: "mfa" | "compliantDevice" | "blocked"; policy: string; claims?: string };

export function evaluateConditionalAccess(tenant: TenantModel, resource: ResourceKind, ctx: SignInContext, claims: ClaimsRequest): AccessDecision {
  const failures: { failure: "mfa" | "compliantDevice" | "blocked"; policy: string }[] = [];
  // An `amr` claims request is not a documented way to ask for MFA and is ignored (FIDELITY.md,
  // "PIM and Entra"): MFA comes from an interactive sign-in, or a policy on an authentication context.
  for (const p of tenant.conditionalAccess) {
    if (!applies(p, resource, ctx, claims)) continue;
    switch (p.require) {
      case "block":
        failures.push({ failure: "blocked", policy: p.name });
        break;
      case "trustedLocation":
        if (!tenant.trustedLocations.includes(ctx.location.toLowerCase())) failures.push({ failure: "blocked", policy: p.name });
        break;
      case "compliantDevice":
        if (!ctx.deviceCompliant) failures.push({ failure: "compliantDevice", policy: p.name });
        break;
      case "mfa":
        if (!ctx.mfa) failures.push({ failure: "mfa", policy: p.name });
        break;
    }
  }
  const order = ["blocked", "compliantDevice", "mfa"] as const;
  for (const f of order) {
    const hit = failures.find((x) => x.failure === f);
    if (hit) return { ok: false, failure: hit.failure, policy: hit.policy, claims: claims.raw };
  }
  return { ok: true, acrs: claims.acrs };
}

function applies(p: ConditionalAccessSpec, resource: ResourceKind, ctx: SignInContext, claims: ClaimsRequest): boolean {
  if (p.enabled === false) return false;
  if (ctx.subject.kind === "servicePrincipal") {
    if (!p.includeServicePrincipals) return false;
  } else {
    const users = p.users ?? ["All"];
    const upn = ctx.subject.upn.toLowerCase();
    if (!users.some((u) => u === "All" || u.toLowerCase() === upn)) return false;
  }
  const resources = p.resources ?? ["All"];
  if (!resources.includes("All") && !resources.includes(resource)) return false;
  if (p.authenticationContext !== undefined && !claims.acrs.includes(p.authenticationContext)) return false;
  return true;
}
