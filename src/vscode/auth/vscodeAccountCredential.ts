import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import * as vscode from "vscode";
import { claimsToChallenge, requestedAuthContexts } from "../../core/azure/claims";
import type { StepUpRequest } from "../../core/azure/stepUp";
import { decodeTokenClaims, missingTokenRequirements, type TokenRequirements } from "../../core/azure/tokenClaims";
import { type CloudEnvironment } from "../../core/cloud";
import { JitError } from "../../core/errors";

/**
 * VS Code's own Microsoft account as a TokenCredential: `authentication.getSession` with the
 * requested scope and a `VSCODE_TENANT:<tenant>` pseudo-scope per tenant (guest tenants included),
 * on the `microsoft` provider for Azure and `microsoft-sovereign-cloud` for the other clouds
 * (azure-protocols §6.4). Silent unless `interactive`: a restore on activation must not prompt.
 */
export class VsCodeAccountCredential implements TokenCredential {
  readonly providerId: string;

  constructor(
    cloud: CloudEnvironment,
    /** `azureJit.auth.tenantId`: a tenant, or "organizations" for the account's home tenant. */
    private readonly tenant: string,
    private readonly options: { interactive: boolean },
  ) {
    this.providerId = providerIdFor(cloud);
  }

  async getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken | null> {
    const request = this.scopesFor(scopes, options.tenantId);
    let session = await vscode.authentication.getSession(this.providerId, request, { silent: true });
    if (!session) {
      if (!this.options.interactive) throw new JitError("NotSignedIn", "No VS Code Microsoft account session is available without asking; sign in again.");
      // A first sign-in, or a guest tenant this account has not consented to yet.
      session = await vscode.authentication.getSession(this.providerId, request, { createIfNone: true });
    }
    return toAccessToken(session.accessToken);
  }

  /**
   * A fresh token carrying the claims the step-up asks for. VS Code 1.105 added challenge requests
   * (`getSession(provider, { wwwAuthenticate, fallbackScopes })`), which pass the claims to Entra
   * ID. The 1.100 API this extension targets has no claims parameter (the Microsoft provider's
   * `ScopeData` only understands `VSCODE_CLIENT_ID`/`VSCODE_TENANT`), so there the best available is a
   * forced new interactive sign-in: Conditional Access evaluates it afresh, which satisfies an "MFA
   * for Azure management" policy, but an authentication context (`acrs`) is only ever issued when
   * requested, so it cannot be. The token is checked, and the error says what to do instead.
   */
  async stepUp(request: StepUpRequest): Promise<AccessToken> {
    const scopes = this.scopesFor(request.scopes, request.tenantId);
    // A fresh sign-in (PIM's MfaRule) is a forced new session; claims go through a challenge request where VS Code has one.
    const session = supportsChallenges(vscode.version) && request.claims
      ? await getSessionForChallenge(this.providerId, { wwwAuthenticate: claimsToChallenge(request.claims), fallbackScopes: scopes }, { createIfNone: true })
      : await vscode.authentication.getSession(this.providerId, scopes, { forceNewSession: { detail: request.message } });
    const token = toAccessToken(session.accessToken);
    const missing = missingTokenRequirements(decodeTokenClaims(token.token), requirementsOf(request));
    if (missing.authenticationContext) {
      throw new JitError(
        "StepUpRequired",
        `VS Code ${vscode.version}'s Microsoft sign-in cannot ask Entra ID for the Conditional Access authentication context "${missing.authenticationContext}" (VS Code 1.105 can). Use the device code sign-in (setting azureJit.auth.method = deviceCode) for this role, then request access again.`,
      );
    }
    if (missing.mfa) {
      throw new JitError("MfaRequired", "The new sign-in did not include multi-factor authentication. Sign in again and complete the MFA prompt, or use the device code sign-in (setting azureJit.auth.method = deviceCode).");
    }
    return token;
  }

  private scopesFor(scopes: string | readonly string[], tenantId: string | undefined): string[] {
    const list = (typeof scopes === "string" ? [scopes] : [...scopes]).filter((s) => !s.startsWith("VSCODE_"));
    const tenant = tenantId ?? this.tenant;
    // "organizations"/"common" are the provider's defaults; a pseudo-scope for them would only split its session cache.
    if (tenant && !["organizations", "common"].includes(tenant.toLowerCase())) list.push(`VSCODE_TENANT:${tenant}`);
    return list;
  }
}

/** `microsoft` for Azure's global cloud; the sovereign-cloud provider (configured by its own settings) otherwise. */
export function providerIdFor(cloud: CloudEnvironment): "microsoft" | "microsoft-sovereign-cloud" {
  return cloud.name === "AzureCloud" ? "microsoft" : "microsoft-sovereign-cloud";
}

/**
 * The `microsoft-sovereign-cloud.environment` value the built-in provider needs for a cloud, or a
 * JitError naming the setting when it is not configured that way (otherwise the provider signs in
 * to the wrong cloud or is not registered at all).
 */
export function checkSovereignSettings(cloud: CloudEnvironment): void {
  if (providerIdFor(cloud) === "microsoft") return;
  const wanted = cloud.custom ? "custom" : cloud.name === "AzureChinaCloud" ? "ChinaCloud" : "USGovernment";
  const actual = vscode.workspace.getConfiguration("microsoft-sovereign-cloud").get<string>("environment");
  if (actual !== wanted) {
    throw new JitError(
      "InvalidSetting",
      cloud.custom
        ? `VS Code's Microsoft sign-in reaches a custom cloud only when the setting microsoft-sovereign-cloud.environment is "custom" (with microsoft-sovereign-cloud.customEnvironment). Set them, or use the device code sign-in (setting azureJit.auth.method = deviceCode).`
        : `VS Code's Microsoft sign-in for ${cloud.name} needs the setting microsoft-sovereign-cloud.environment = "${wanted}". Set it, or choose another sign-in method (setting azureJit.auth.method).`,
    );
  }
}

function toAccessToken(token: string): AccessToken {
  // The provider does not say when its token expires; the JWT does.
  return { token, expiresOnTimestamp: decodeTokenClaims(token).expiresAt ?? Date.now() + 5 * 60_000 };
}

function requirementsOf(request: StepUpRequest): TokenRequirements {
  const contexts = request.claims ? requestedAuthContexts(request.claims) : [];
  return { mfa: request.freshSignIn === true || request.reason === "mfa", ...(contexts[0] ? { authenticationContext: contexts[0] } : {}) };
}

/** VS Code 1.105+ accepts `{ wwwAuthenticate, fallbackScopes }` in place of the scopes. */
export function supportsChallenges(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map((n) => Number.parseInt(n, 10));
  return major > 1 || (major === 1 && minor >= 105);
}

interface ChallengeRequest {
  wwwAuthenticate: string;
  fallbackScopes: readonly string[];
}

type GetSessionForChallenge = (providerId: string, request: ChallengeRequest, options: vscode.AuthenticationGetSessionOptions & { createIfNone: true }) => Thenable<vscode.AuthenticationSession>;

/**
 * Narrow adapter: the 1.105 overload of `authentication.getSession`, absent from the 1.100 typings
 * this extension compiles against. Only called after `supportsChallenges(vscode.version)`.
 */
function getSessionForChallenge(...args: Parameters<GetSessionForChallenge>): Thenable<vscode.AuthenticationSession> {
  const getSession = vscode.authentication.getSession as unknown as GetSessionForChallenge;
  return getSession.apply(vscode.authentication, args);
}
