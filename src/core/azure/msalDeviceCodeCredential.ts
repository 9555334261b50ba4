import type { AbortSignalLike } from "@azure/abort-controller";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { type AccountInfo, type AuthenticationResult, type ICachePlugin, PublicClientApplication } from "@azure/msal-node";
import { CancellationError, raceWithSignal } from "../cancellation";
import type { CloudEnvironment } from "../cloud";
import { JitError, errorMessage } from "../errors";
import { type Logger, nullLogger } from "../logger";
import type { SshCertificateRequest } from "../entraSsh/certificateSource";
import type { DeviceCodePromptPort, TokenCachePersistence } from "./credentialConfig";

export type { TokenCachePersistence } from "./credentialConfig";

export interface MsalDeviceCodeOptions {
  cloud: CloudEnvironment;
  /** The tenant of the first sign-in: a tenant id, a domain, or "organizations". */
  tenantId: string;
  clientId: string;
  userPrompt: DeviceCodePromptPort;
  persistence?: TokenCachePersistence;
  logger?: Logger;
}

/**
 * Device-code sign-in on MSAL Node directly (what @azure/identity wraps). Two things identity 4.13
 * cannot do and users need: (1) tokens for *other* tenants from the one sign-in — a PIM-eligible
 * guest gets a token for the resource tenant through the refresh token, instead of a second device
 * code (identity 4.13's silent path drops the authority); (2) a persistent
 * cache through a plugin, so that the sign-in survives window reloads.
 *
 * Claims (CAE challenges, PIM authentication context, MFA) force a refresh with those claims; when
 * Entra answers that interaction is required, a new device-code sign-in carries them.
 */
export class MsalDeviceCodeCredential implements TokenCredential {
  private readonly app: PublicClientApplication;
  private readonly logger: Logger;
  private interactive: Promise<AuthenticationResult | null> | undefined;

  constructor(private readonly options: MsalDeviceCodeOptions) {
    this.logger = options.logger ?? nullLogger;
    const authorityHost = options.cloud.authorityHost.replace(/\/+$/, "");
    this.app = new PublicClientApplication({
      auth: {
        clientId: options.clientId,
        authority: `${authorityHost}/${options.tenantId}`,
        // A custom cloud's authority is not known to login.microsoftonline.com: skip instance discovery.
        knownAuthorities: options.cloud.custom ? [new URL(authorityHost).host] : [],
        // CAE: Azure may then answer with claims challenges, which we satisfy (§7).
        clientCapabilities: ["cp1"],
      },
      cache: options.persistence ? { cachePlugin: cachePlugin(options.persistence, this.logger) } : undefined,
    });
  }

  /** The signed-in account, if any (from the persisted cache after a reload). */
  async account(): Promise<AccountInfo | undefined> {
    const accounts = await this.app.getTokenCache().getAllAccounts();
    // Prefer the home account (its tenant is the account's home tenant).
    return accounts.find((a) => a.tenantId === a.homeAccountId.split(".")[1]) ?? accounts[0];
  }

  /** True when a token can be had without showing a device code (a cached account exists). */
  async canSignInSilently(): Promise<boolean> {
    return (await this.account()) !== undefined;
  }

  async signOut(): Promise<void> {
    const cache = this.app.getTokenCache();
    for (const account of await cache.getAllAccounts()) await cache.removeAccount(account);
  }

  async getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken | null> {
    const scopeList = Array.isArray(scopes) ? scopes : [scopes];
    const authorityHost = this.options.cloud.authorityHost.replace(/\/+$/, "");
    const tenant = options.tenantId ?? this.options.tenantId;
    const authority = `${authorityHost}/${tenant}`;
    // Any claims force a refresh: a challenge's, and also the bare CAE capability that StepUpCredential
    // sends to refresh a token Azure's clock already considers expired.
    const claims = options.claims || undefined;
    const account = await this.account();
    if (account) {
      try {
        // The account object names the tenant whose cached tokens to look at: ask for the target tenant.
        const forTenant: AccountInfo = options.tenantId ? { ...account, tenantId: options.tenantId } : account;
        const result = await this.app.acquireTokenSilent({ account: forTenant, scopes: scopeList, authority, claims, forceRefresh: claims !== undefined });
        return toAccessToken(result);
      } catch (e) {
        if (options.abortSignal?.aborted) throw new CancellationError();
        this.logger.info(`A new sign-in is needed for tenant ${tenant}: ${firstLine(e)}`);
      }
    }
    return toAccessToken(await this.deviceCode(scopeList, authority, tenant, claims, options.abortSignal));
  }

  /**
   * An Entra ID SSH certificate for the signed-in account: a forced refresh-token request carrying
   * the ssh-cert fields (see entraSsh/certificateSource.ts). Never interactive: a Conditional
   * Access refusal is reported, not turned into a device code.
   */
  async acquireSshCertificate(request: SshCertificateRequest, signal?: AbortSignal): Promise<string> {
    const account = await this.account();
    if (!account) throw new JitError("NotSignedIn", "Sign in to Azure first: an SSH certificate is issued for the signed-in account.");
    const authority = `${this.options.cloud.authorityHost.replace(/\/+$/, "")}/${request.tenantId}`;
    const flow = this.app.acquireTokenSilent({
      account: { ...account, tenantId: request.tenantId },
      scopes: [request.scope],
      authority,
      forceRefresh: true,
      extraParameters: { token_type: "ssh-cert", req_cnf: request.requestJwk, key_id: request.kid },
    });
    const result = await raceWithSignal(flow, signal);
    if (result.tokenType.toLowerCase() !== "ssh-cert" || !result.accessToken) {
      throw new JitError("EntraCertificateInvalid", `Microsoft Entra ID answered with a "${result.tokenType}" token instead of an SSH certificate.`);
    }
    return result.accessToken;
  }

  /**
   * The refresh token redeemed with `claims`, never a device code: when Entra ID refuses it (sessions
   * revoked, password changed, refresh token expired) the sign-in is gone, and the caller shows
   * "Sign In Again" where the user looks instead of a device code nobody asked for.
   */
  async refreshSilently(scopes: string[], options: { tenantId?: string; claims?: string; abortSignal?: AbortSignal } = {}): Promise<AccessToken> {
    const tenant = options.tenantId ?? this.options.tenantId;
    const authority = `${this.options.cloud.authorityHost.replace(/\/+$/, "")}/${tenant}`;
    const account = await this.account();
    const refused = (cause?: unknown): JitError =>
      new JitError("NotSignedIn", "Azure no longer accepts your sign-in (it expired, was revoked, or the identity service restarted). Sign in again.", { cause, details: { signInRefused: true } });
    if (!account) throw refused();
    try {
      const result = await raceWithSignal(this.app.acquireTokenSilent({ account: options.tenantId ? { ...account, tenantId: options.tenantId } : account, scopes, authority, claims: options.claims || undefined, forceRefresh: true }), options.abortSignal);
      return toAccessToken(result);
    } catch (e) {
      if (options.abortSignal?.aborted) throw new CancellationError();
      this.logger.info(`The sign-in was refused on refresh for tenant ${tenant}: ${firstLine(e)}`);
      throw refused(e);
    }
  }

  /**
   * A new device-code sign-in even when the cached account could refresh silently: PIM's MfaRule
   * wants a sign-in that did MFA, which no refresh (and no claims request) provides.
   */
  async signInInteractively(scopes: string[], options: { tenantId?: string; claims?: string; abortSignal?: AbortSignalLike } = {}): Promise<AccessToken> {
    const tenant = options.tenantId ?? this.options.tenantId;
    const authority = `${this.options.cloud.authorityHost.replace(/\/+$/, "")}/${tenant}`;
    return toAccessToken(await this.deviceCode(scopes, authority, tenant, options.claims || undefined, options.abortSignal));
  }

  /** One device-code flow at a time: parallel first requests wait for it and then read the cache. */
  private async deviceCode(scopes: string[], authority: string, tenant: string, claims: string | undefined, signal?: AbortSignalLike): Promise<AuthenticationResult | null> {
    while (this.interactive) {
      await this.interactive.catch(() => undefined);
      const account = await this.account();
      if (account && claims === undefined) {
        try {
          return await this.app.acquireTokenSilent({ account: { ...account, tenantId: tenant }, scopes, authority, forceRefresh: false });
        } catch {
          // fall through to our own device-code flow
        }
      }
    }
    let settle = (): void => undefined;
    const finished = new Promise<void>((resolve) => (settle = resolve));
    const request = {
      scopes,
      authority,
      claims,
      cancel: false,
      deviceCodeCallback: (r: { userCode: string; verificationUri: string; message: string }) =>
        this.options.userPrompt({ userCode: r.userCode, verificationUri: r.verificationUri, message: r.message, tenantId: tenant, finished, cancel: () => (request.cancel = true) }),
    };
    // MSAL polls until `cancel` turns true.
    const onAbort = (): void => {
      request.cancel = true;
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const flow = this.app.acquireTokenByDeviceCode(request);
    this.interactive = flow;
    try {
      return await flow;
    } catch (e) {
      if (signal?.aborted) throw new CancellationError();
      throw e;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      settle();
      if (this.interactive === flow) this.interactive = undefined;
    }
  }
}

function toAccessToken(result: AuthenticationResult | null): AccessToken {
  if (!result?.accessToken) throw new JitError("AuthenticationFailed", "Sign-in did not return an access token.");
  return { token: result.accessToken, expiresOnTimestamp: result.expiresOn?.getTime() ?? Date.now() + 60 * 60_000 };
}

function firstLine(e: unknown): string {
  return errorMessage(e).split("\n")[0] ?? "";
}

function cachePlugin(persistence: TokenCachePersistence, logger: Logger): ICachePlugin {
  return {
    beforeCacheAccess: async (context) => {
      try {
        const data = await persistence.load();
        if (data) context.tokenCache.deserialize(data);
      } catch (e) {
        logger.warn(`Could not read the saved sign-in: ${firstLine(e)}`);
      }
    },
    afterCacheAccess: async (context) => {
      if (!context.cacheHasChanged) return;
      try {
        await persistence.save(context.tokenCache.serialize());
      } catch (e) {
        logger.warn(`Could not save the sign-in: ${firstLine(e)}`);
      }
    },
  };
}
