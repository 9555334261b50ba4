import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { type Clock, systemClock } from "../clock";
import { JitError } from "../errors";
import { type Logger, nullLogger } from "../logger";
import { claimsAskOnlyFreshToken, claimsNeedStepUp } from "./claims";
import { decodeTokenClaims } from "./tokenClaims";

/** Why the user is asked to sign in again. */
export type StepUpReason = "claimsChallenge" | "authenticationContext" | "mfa";

export interface StepUpRequest {
  scopes: string[];
  /** The decoded claims request (JSON text), e.g. {"access_token":{"acrs":{"essential":true,"value":"c1"}}}; "" when none. */
  claims: string;
  /**
   * The user must sign in again interactively, not just refresh: PIM's MfaRule wants a sign-in that
   * did MFA, and no claims request can ask Entra ID for that. Each sign-in method does what it can
   * (a new VS Code session, a new device code) or says what the user must do (Azure CLI, service principal).
   */
  freshSignIn?: boolean;
  /** Tenant the token is for (a guest signs in to the resource tenant). */
  tenantId?: string;
  reason: StepUpReason;
  /** One English sentence saying what asks for it, for the prompt and the log. */
  message: string;
}

/** A credential that can run a new interactive sign-in on demand (the device-code credential). */
export interface InteractiveSignIn {
  signInInteractively(scopes: string[], options?: { tenantId?: string; claims?: string; abortSignal?: AbortSignal }): Promise<AccessToken>;
}

export function canSignInInteractively(credential: unknown): credential is InteractiveSignIn {
  return typeof (credential as Partial<InteractiveSignIn> | undefined)?.signInInteractively === "function";
}

/**
 * A credential that can redeem its refresh token with claims and nothing else: it never falls back
 * to an interactive sign-in, and rejects with a `signInRefused` NotSignedIn error when Entra ID
 * refuses the refresh (sessions revoked, AADSTS50173 and the like).
 */
export interface SilentRefresh {
  /** False when the credential behind (a forwarding one) cannot refresh without the user right now. */
  supportsSilentRefresh?(): boolean;
  refreshSilently(scopes: string[], options?: { tenantId?: string; claims?: string; abortSignal?: AbortSignal }): Promise<AccessToken>;
}

export function canRefreshSilently(credential: unknown): credential is SilentRefresh {
  const c = credential as Partial<SilentRefresh> | undefined;
  return typeof c?.refreshSilently === "function" && (c.supportsSilentRefresh?.() ?? true);
}

/**
 * Obtains a token that satisfies `request.claims`, with the user's involvement (the VS Code layer
 * asks first, then signs in again with those claims). Rejects with a CancellationError when the
 * user declines.
 */
export type StepUpHandler = (request: StepUpRequest, signal?: AbortSignal) => Promise<AccessToken>;

/** Stepped-up tokens are reused only while they have this much life left. */
const MIN_REMAINING_MS = 2 * 60_000;

/**
 * The CAE capability claims every SDK token request implies. Asking with them makes MSAL skip its
 * access-token cache and redeem the refresh token, without any user interaction.
 */
const PASSIVE_REFRESH_CLAIMS = JSON.stringify({ access_token: { xms_cc: { values: ["cp1"] } } });

/**
 * The product's TokenCredential. It forwards ordinary token requests to the sign-in credential and
 * routes requests with real claims (a CAE challenge, a PIM authentication context) to the pluggable
 * StepUpHandler. The stepped-up token is then preferred for the same scope and tenant until it nears
 * expiry: the sign-in credential may keep returning its older cached token, which would fail the retry.
 * SDK clients cache tokens in their pipelines, so listeners of `onDidStepUp` recreate them.
 */
export class StepUpCredential implements TokenCredential {
  private handler: StepUpHandler | undefined;
  private readonly clock: Clock;
  private readonly serverClock: Clock | undefined;
  private readonly logger: Logger;
  private readonly steppedUp = new Map<string, AccessToken>();
  private readonly inFlight = new Map<string, Promise<AccessToken>>();
  private readonly listeners = new Set<() => void>();
  private stepUps = 0;

  constructor(
    private readonly inner: TokenCredential,
    options: {
      handler?: StepUpHandler;
      /** Local clock, for the lifetime of stepped-up tokens (their expiry is computed locally). */
      clock?: Clock;
      /** Azure's clock (a ServerSkewClock), to notice tokens Azure already considers expired. */
      serverClock?: Clock;
      logger?: Logger;
    } = {},
  ) {
    this.handler = options.handler;
    this.clock = options.clock ?? systemClock;
    this.serverClock = options.serverClock;
    this.logger = options.logger ?? nullLogger;
  }

  /** Installs the handler (the VS Code layer does this once it can show UI). */
  setHandler(handler: StepUpHandler | undefined): void {
    this.handler = handler;
  }

  /** How many step-ups succeeded; client caches compare it to know when to rebuild. */
  get generation(): number {
    return this.stepUps;
  }

  onDidStepUp(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken | null> {
    const list = Array.isArray(scopes) ? scopes : [scopes];
    if (claimsAskOnlyFreshToken(options.claims) && canRefreshSilently(this.inner)) {
      // A CAE challenge after a critical event: a silent refresh answers it, or the sign-in is gone
      // (refused refresh) and the user must sign in again, which the caller shows in place (stale tree,
      // "Sign In Again") instead of a prompt in the middle of a background refresh.
      return this.freshToken(this.inner, list, options);
    }
    if (claimsNeedStepUp(options.claims)) {
      return this.stepUp(
        { scopes: list, claims: options.claims ?? "", tenantId: options.tenantId, reason: "claimsChallenge", message: "Azure asked for a fresh sign-in with additional claims (Conditional Access)." },
        abortSignalOf(options),
      );
    }
    const cached = this.steppedUp.get(cacheKey(list, options.tenantId));
    if (cached && cached.expiresOnTimestamp - MIN_REMAINING_MS > this.clock.now()) return cached;
    const token = await this.inner.getToken(list, options);
    if (token && this.expiredByServerClock(token)) return this.refreshExpired(token, list, options);
    return token;
  }

  /**
   * Token caches judge expiry by the local clock. When Azure's clock is ahead by more than the token
   * lifetime (a skewed laptop clock, a suspended machine), the cache hands out tokens Azure rejects
   * with a bare 401, which the SDK does not retry. Decoding `exp` against the server clock catches it.
   */
  private expiredByServerClock(token: AccessToken): boolean {
    if (!this.serverClock) return false;
    const exp = decodeTokenClaims(token.token).expiresAt;
    return exp !== undefined && exp - 60_000 <= this.serverClock.now();
  }

  private async refreshExpired(stale: AccessToken, scopes: string[], options: GetTokenOptions): Promise<AccessToken> {
    this.logger.info("The cached Azure token has expired by Azure's clock; refreshing it.");
    try {
      return (await this.inner.getToken(scopes, { ...options, claims: PASSIVE_REFRESH_CLAIMS })) ?? stale;
    } catch (e) {
      // Some credentials (Azure CLI) refuse claims; Azure will say what it thinks of the old token.
      this.logger.debug(`Token refresh with claims was refused: ${e instanceof Error ? e.message : String(e)}`);
      return stale;
    }
  }

  private async freshToken(inner: SilentRefresh, scopes: string[], options: GetTokenOptions): Promise<AccessToken> {
    this.logger.info("Azure asked for a token issued after a recent change to your sign-in (continuous access evaluation); refreshing it silently.");
    const token = await inner.refreshSilently(scopes, { tenantId: options.tenantId, claims: options.claims, abortSignal: abortSignalOf(options) });
    this.steppedUp.set(cacheKey(scopes, options.tenantId), token);
    this.stepUps++;
    for (const l of this.listeners) l();
    return token;
  }

  /** Asks the handler for a token with `request.claims`; concurrent identical requests share one prompt. */
  stepUp(request: StepUpRequest, signal?: AbortSignal): Promise<AccessToken> {
    const handler = this.handler;
    if (!handler) {
      return Promise.reject(new JitError("StepUpRequired", `${request.message} Sign in again with the required authentication (multi-factor or Conditional Access context), then retry.`, { details: { reason: request.reason } }));
    }
    const key = `${cacheKey(request.scopes, request.tenantId)}|${request.claims}`;
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    this.logger.info(`Step-up sign-in requested (${request.reason}): ${request.message}`);
    const promise = handler(request, signal)
      .then((token) => {
        this.steppedUp.set(cacheKey(request.scopes, request.tenantId), token);
        this.stepUps++;
        for (const l of this.listeners) l();
        return token;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, promise);
    return promise;
  }

  /** A view of this credential that always asks for tokens of `tenantId` (resources in a guest tenant). */
  forTenant(tenantId: string | undefined): TokenCredential {
    if (!tenantId) return this;
    return { getToken: (scopes, options = {}) => this.getToken(scopes, { ...options, tenantId }) };
  }

  /** Forgets stepped-up tokens (sign-out). */
  clear(): void {
    this.steppedUp.clear();
  }
}

function cacheKey(scopes: readonly string[], tenantId: string | undefined): string {
  return `${(tenantId ?? "").toLowerCase()}|${[...scopes].sort().join(" ")}`;
}

/** The SDK's AbortSignalLike is structurally an AbortSignal in Node; keep it only when it is one. */
function abortSignalOf(options: GetTokenOptions): AbortSignal | undefined {
  const s = options.abortSignal;
  return s instanceof AbortSignal ? s : undefined;
}
