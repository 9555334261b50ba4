import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { throwIfAborted } from "../cancellation";
import { type Clock, ServerSkewClock, systemClock } from "../clock";
import { armScope, type CloudEnvironment } from "../cloud";
import { JitError } from "../errors";
import { type Logger, nullLogger } from "../logger";
import { AzureClients } from "./azureClients";
import { restErrorInfo, toJitError } from "./azureErrors";
import { claimsFromChallenge } from "./claims";
import { StepUpCredential, type StepUpHandler } from "./stepUp";
import { decodeTokenClaims, type TokenClaims } from "./tokenClaims";

/**
 * Everything core functions need to talk to Azure. Built once per sign-in by the composition root
 * (`createAzureContext`) and passed down; nothing here is a module global.
 */
export interface AzureContext {
  cloud: CloudEnvironment;
  credential: StepUpCredential;
  clients: AzureClients;
  /** Azure's clock (local time corrected by the server `Date` headers): expiries are decided on it. */
  clock: ServerSkewClock;
  logger: Logger;
}

export interface AzureContextOptions {
  cloud: CloudEnvironment;
  /** The sign-in credential: from `createCredential`, or the VS Code account adapter. */
  credential: TokenCredential;
  stepUpHandler?: StepUpHandler;
  logger?: Logger;
  /** The local clock (tests inject one). */
  localClock?: Clock;
}

export async function createAzureContext(options: AzureContextOptions): Promise<AzureContext> {
  const logger = options.logger ?? nullLogger;
  const clock = new ServerSkewClock(options.localClock ?? systemClock);
  const credential = options.credential instanceof StepUpCredential ? options.credential : new StepUpCredential(options.credential, { handler: options.stepUpHandler, clock: options.localClock, serverClock: clock, logger });
  const clients = await AzureClients.create({ cloud: options.cloud, credential, clock, logger });
  return { cloud: options.cloud, credential, clients, clock, logger };
}

/**
 * An ARM access token for `tenantId` (the Bastion data plane wants one as `aztoken`, §1.4). The
 * caller must not log or persist it.
 */
export async function getArmAccessToken(ctx: AzureContext, tenantId: string | undefined, signal?: AbortSignal): Promise<AccessToken> {
  throwIfAborted(signal);
  let token: AccessToken | null;
  try {
    // enableCae like the SDK pipelines: @azure/identity keeps separate token caches with and
    // without it, and a second cache would mean a second interactive sign-in.
    token = await ctx.credential.getToken([armScope(ctx.cloud)], { tenantId, abortSignal: signal, enableCae: true });
  } catch (e) {
    throw toJitError(e, "get an Azure Resource Manager token");
  }
  if (!token) throw new JitError("NotSignedIn", "No Azure Resource Manager token is available. Sign in to Azure.");
  return token;
}

export interface CallerIdentity extends TokenClaims {
  /** The caller's object id in this tenant (what PIM requests carry as principalId, §2.1). */
  principalId: string;
  tenantId: string;
}

/** Who the caller is in `tenantId`, read from the ARM token of that tenant. */
export async function getCallerIdentity(ctx: AzureContext, tenantId: string | undefined, signal?: AbortSignal): Promise<CallerIdentity> {
  const token = await getArmAccessToken(ctx, tenantId, signal);
  const claims = decodeTokenClaims(token.token);
  if (!claims.oid || !claims.tid) {
    throw new JitError("AuthenticationFailed", "The Azure token carries no user object id (oid/tid claims), so PIM requests cannot name you. Sign in with a user or service principal account.");
  }
  return { ...claims, principalId: claims.oid, tenantId: claims.tid };
}

/**
 * Runs an Azure call; when Azure answers 401 without a claims challenge (a token it considers
 * expired or revoked while our cache does not), drops the cached clients and tries exactly once more
 * with a fresh token. Maps the final failure with `toJitError(e, action)` (SDK error in `cause`).
 * `fn` must take its client from `ctx.clients` each time it runs, so the retry gets a new one.
 */
export async function callAzure<T>(ctx: AzureContext, action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const info = restErrorInfo(e);
    if (info?.statusCode !== 401 || claimsFromChallenge(info.wwwAuthenticate)) throw toJitError(e, action);
    ctx.logger.info(`Azure rejected the cached token while trying to ${action}; retrying once with a fresh token.`);
    ctx.clients.reset();
    try {
      return await fn();
    } catch (again) {
      throw toJitError(again, action);
    }
  }
}
