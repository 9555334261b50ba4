import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { decodeTokenClaims } from "./tokenClaims";

/**
 * Tokens for tenants other than the home tenant, for interactive credentials. @azure/identity 4.13's
 * device-code credential ignores `tenantId` on its silent path (the silent request carries no
 * authority), so `getToken(scope, {tenantId: guestTenant})` returns the cached home-tenant token and
 * ARM then sees the wrong tenant. This keeps one credential per tenant instead: the home one, and a
 * separate sign-in (like `az login --tenant`) the first time a guest tenant is needed.
 */
export class PerTenantCredential implements TokenCredential {
  private homeTenantId: string | undefined;
  private readonly others = new Map<string, TokenCredential>();

  constructor(
    private readonly home: TokenCredential,
    /** The tenant the home credential was created for: a GUID, a domain, or "organizations"/"common". */
    private readonly configuredTenant: string,
    private readonly createForTenant: (tenantId: string) => TokenCredential,
  ) {}

  async getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken | null> {
    const { tenantId, ...rest } = options;
    const wanted = tenantId?.toLowerCase();
    if (!wanted || wanted === this.configuredTenant.toLowerCase() || wanted === this.homeTenantId) return this.fromHome(scopes, rest);
    if (this.homeTenantId === undefined) {
      // Learn which tenant "organizations" resolved to before deciding the request is for a guest tenant.
      const homeToken = await this.fromHome(scopes, rest);
      if (wanted === this.homeTenantId) return homeToken;
    }
    let other = this.others.get(wanted);
    if (!other) {
      other = this.createForTenant(tenantId ?? wanted);
      this.others.set(wanted, other);
    }
    const credential = other;
    return firstSignInGate(credential, () => credential.getToken(scopes, rest));
  }

  private async fromHome(scopes: string | string[], options: GetTokenOptions): Promise<AccessToken | null> {
    const token = await firstSignInGate(this.home, () => this.home.getToken(scopes, options));
    if (token && this.homeTenantId === undefined) this.homeTenantId = decodeTokenClaims(token.token).tid?.toLowerCase();
    return token;
  }
}

const signedIn = new WeakSet<TokenCredential>();
const signingIn = new WeakMap<TokenCredential, Promise<unknown>>();

/**
 * Until a credential has produced its first token, concurrent requests would each start their own
 * interactive sign-in (one device code per parallel inventory read). The first request runs alone;
 * the others wait for it and then find the token in the credential's cache.
 */
async function firstSignInGate<T>(credential: TokenCredential, request: () => Promise<T>): Promise<T> {
  if (signedIn.has(credential)) return request();
  const running = signingIn.get(credential);
  if (running) {
    await running.catch(() => undefined);
    return firstSignInGate(credential, request);
  }
  const first = request();
  signingIn.set(credential, first);
  try {
    const result = await first;
    signedIn.add(credential);
    return result;
  } finally {
    signingIn.delete(credential);
  }
}
