import type { AuthorizationManagementClient } from "@azure/arm-authorization";
import type { ComputeManagementClient } from "@azure/arm-compute";
import type { NetworkManagementClient } from "@azure/arm-network";
import type { ResourceGraphClient } from "@azure/arm-resourcegraph";
import type { SecurityCenter } from "@azure/arm-security";
import type { SecretClient } from "@azure/keyvault-secrets";
import type { ServerSkewClock } from "../clock";
import type { CloudEnvironment } from "../cloud";
import type { Logger } from "../logger";
import type { ArmListClient, ClientEnvironment } from "./azureSdk";
import { type AzureSdk, loadAzureSdk } from "./sdkLoader";
import type { StepUpCredential } from "./stepUp";

/**
 * Placeholder subscription for operations addressed by scope (PIM): the classic clients insist on a
 * subscription id in their constructor but scope-style paths do not use it.
 */
const SCOPE_ONLY = "00000000-0000-0000-0000-000000000000";

/**
 * SDK clients, created on first use per (tenant, subscription) and reused, because each one owns an
 * HTTP pipeline with a token cache. After a step-up sign-in the cached pipelines hold the old token,
 * so every client is dropped and rebuilt (the credential tells us through `onDidStepUp`).
 */
export class AzureClients {
  private readonly cache = new Map<string, unknown>();
  private readonly unsubscribe: () => void;

  private constructor(
    private readonly sdk: AzureSdk,
    readonly cloud: CloudEnvironment,
    readonly credential: StepUpCredential,
    private readonly clock: ServerSkewClock | undefined,
    private readonly logger: Logger | undefined,
  ) {
    this.unsubscribe = credential.onDidStepUp(() => this.reset());
  }

  static async create(options: { cloud: CloudEnvironment; credential: StepUpCredential; clock?: ServerSkewClock; logger?: Logger }): Promise<AzureClients> {
    const sdk = await loadAzureSdk();
    return new AzureClients(sdk, options.cloud, options.credential, options.clock, options.logger);
  }

  private env(tenantId: string | undefined): ClientEnvironment {
    return { cloud: this.cloud, credential: this.credential.forTenant(tenantId), clock: this.clock, logger: this.logger };
  }

  private get<T>(key: string, make: () => T): T {
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit as T;
    const made = make();
    this.cache.set(key, made);
    return made;
  }

  /** PIM client; `subscriptionId` is only needed for subscription-addressed operations. */
  authorization(tenantId: string | undefined, subscriptionId = SCOPE_ONLY): AuthorizationManagementClient {
    return this.get(`auth|${tenantId ?? ""}|${subscriptionId}`, () => this.sdk.createAuthorizationClient(this.env(tenantId), subscriptionId));
  }

  security(tenantId: string | undefined, subscriptionId: string): SecurityCenter {
    return this.get(`sec|${tenantId ?? ""}|${subscriptionId}`, () => this.sdk.createSecurityCenter(this.env(tenantId), subscriptionId));
  }

  compute(tenantId: string | undefined, subscriptionId: string): ComputeManagementClient {
    return this.get(`cmp|${tenantId ?? ""}|${subscriptionId}`, () => this.sdk.createComputeClient(this.env(tenantId), subscriptionId));
  }

  network(tenantId: string | undefined, subscriptionId: string): NetworkManagementClient {
    return this.get(`net|${tenantId ?? ""}|${subscriptionId}`, () => this.sdk.createNetworkClient(this.env(tenantId), subscriptionId));
  }

  resourceGraph(tenantId: string | undefined): ResourceGraphClient {
    return this.get(`arg|${tenantId ?? ""}`, () => this.sdk.createResourceGraphClient(this.env(tenantId)));
  }

  /** `GET /tenants` and `GET /subscriptions` (see ArmListClient). */
  armList(tenantId: string | undefined): ArmListClient {
    return this.get(`list|${tenantId ?? ""}`, () => this.sdk.createSubscriptionClient(this.env(tenantId)));
  }

  /** Key Vault: the tenant comes from the vault's challenge, so the credential is not tenant-bound. */
  secrets(vaultUrl: string): SecretClient {
    return this.get(`kv|${vaultUrl.toLowerCase()}`, () => this.sdk.createSecretClient(this.env(undefined), vaultUrl));
  }

  /** Drops every cached client (after a step-up, or on sign-out). */
  reset(): void {
    this.cache.clear();
  }

  dispose(): void {
    this.unsubscribe();
    this.cache.clear();
  }
}
