// Lazy chunk holding every Azure SDK import (dist/azureSdk.js), reached only through loadAzureSdk().
// Factories only, no domain logic. See docs/ARCHITECTURE.md "Azure access".
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ComputeManagementClient } from "@azure/arm-compute";
import { NetworkManagementClient } from "@azure/arm-network";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { SecurityCenter } from "@azure/arm-security";
import { SubscriptionClient } from "@azure/arm-subscriptions";
import type { TokenCredential } from "@azure/core-auth";
import { type PipelinePolicy, createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { AzureCliCredential, ClientCertificateCredential, ClientSecretCredential } from "@azure/identity";
import { MsalDeviceCodeCredential } from "./msalDeviceCodeCredential";
import { SecretClient } from "@azure/keyvault-secrets";
import type { ServerSkewClock } from "../clock";
import { armScope, type CloudEnvironment } from "../cloud";
import { JitError } from "../errors";
import { type Logger, nullLogger } from "../logger";
import { redact } from "../redact";
import type { CredentialConfig } from "./credentialConfig";
import { loopbackAwareHttpClient } from "./loopbackHttpClient";

export const sdkChunk = true;

/** What every client factory needs. `credential` is already bound to the tenant of the resources. */
export interface ClientEnvironment {
  cloud: CloudEnvironment;
  credential: TokenCredential;
  /** Fed with every response's `Date` header, so countdowns follow Azure's clock. */
  clock?: ServerSkewClock;
  logger?: Logger;
}

/** Records the server's `Date` header of every response (each retry included). */
function serverDatePolicy(clock: ServerSkewClock): PipelinePolicy {
  return {
    name: "azureJitServerDate",
    async sendRequest(request, next) {
      const response = await next(request);
      clock.observeServerDate(response.headers.get("date"));
      return response;
    },
  };
}

/** One debug line per HTTP request: method, redacted URL, status, duration. Never headers or bodies. */
function requestLogPolicy(logger: Logger): PipelinePolicy {
  return {
    name: "azureJitRequestLog",
    async sendRequest(request, next) {
      const started = Date.now();
      try {
        const response = await next(request);
        logger.debug(`${request.method} ${redact(request.url)} -> ${response.status} (${Date.now() - started} ms)`);
        return response;
      } catch (e) {
        logger.debug(`${request.method} ${redact(request.url)} -> failed after ${Date.now() - started} ms: ${redact(e instanceof Error ? e.message : String(e))}`);
        throw e;
      }
    },
  };
}

/**
 * Sends ARM paths in canonical form. Scope-style operations (`/{scope}/providers/...`) are built by
 * core-client, which strips only one leading slash from the template: a tenant scope of "" becomes
 * `//providers/...` and "/" becomes `///providers/...` (azure-facts §7). ARM happens to accept a
 * double slash, but that is not a documented form, so every run of slashes in the path is collapsed.
 * ARM ids never hold an empty segment, so nothing meaningful is lost.
 */
export function canonicalArmPathPolicy(): PipelinePolicy {
  return {
    name: "azureJitCanonicalArmPath",
    sendRequest(request, next) {
      request.url = canonicalArmUrl(request.url);
      return next(request);
    },
  };
}

/** The URL with runs of slashes in its path collapsed to one (query and origin untouched). */
export function canonicalArmUrl(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/{2,}/g, "/");
  if (path === parsed.pathname) return url;
  parsed.pathname = path;
  return parsed.toString();
}

type AdditionalPolicy = { policy: PipelinePolicy; position: "perCall" | "perRetry" };

function additionalPolicies(env: ClientEnvironment): AdditionalPolicy[] {
  const policies: AdditionalPolicy[] = [{ policy: requestLogPolicy(env.logger ?? nullLogger), position: "perRetry" }];
  if (env.clock) policies.push({ policy: serverDatePolicy(env.clock), position: "perRetry" });
  return policies;
}

/**
 * The policies of every ARM client: the common ones, canonical paths, and the Resource Manager origin
 * guard (paged lists follow `nextLink` as ARM wrote it, and an ARM token goes only to ARM).
 */
export function armPolicies(env: ClientEnvironment): AdditionalPolicy[] {
  return [{ policy: sameArmPolicy(env.cloud), position: "perCall" }, { policy: canonicalArmPathPolicy(), position: "perCall" }, ...additionalPolicies(env)];
}

/**
 * Refuses, before the token policy runs (perCall policies run before the Sign phase), any request
 * whose origin (scheme, host AND port) is not `allowedOrigin`: what refused it is thrown.
 */
function sameOriginPolicy(name: string, allowedOrigin: string, refuse: (target: URL) => JitError): PipelinePolicy {
  const origin = new URL(allowedOrigin).origin.toLowerCase();
  return {
    name,
    sendRequest(request, next) {
      const target = new URL(request.url);
      return target.origin.toLowerCase() === origin ? next(request) : Promise.reject(refuse(target));
    },
  };
}

/** Keeps an ARM client on the cloud's Resource Manager endpoint (a `nextLink` elsewhere gets no token). */
export function sameArmPolicy(cloud: CloudEnvironment): PipelinePolicy {
  const arm = new URL(cloud.resourceManagerEndpoint).host;
  return sameOriginPolicy("azureJitSameArm", cloud.resourceManagerEndpoint, (target) =>
    new JitError("ArmHostNotAllowed", `Azure Resource Manager (${arm}) sent this client to ${target.host}, another host. No token was sent.`, { details: { host: target.host } }),
  );
}

/** Options for classic (core-client) ARM clients: they take `endpoint` + `credentialScopes` (§0.2, §6.5). */
function classicOptions(env: ClientEnvironment): { endpoint: string; credentialScopes: string[]; additionalPolicies: AdditionalPolicy[] } {
  return { endpoint: env.cloud.resourceManagerEndpoint, credentialScopes: [armScope(env.cloud)], additionalPolicies: armPolicies(env) };
}

/** PIM (roleEligibilityScheduleInstances, roleAssignmentScheduleRequests, policies), api 2020-10-01. */
export function createAuthorizationClient(env: ClientEnvironment, subscriptionId: string): AuthorizationManagementClient {
  return new AuthorizationManagementClient(env.credential, subscriptionId, classicOptions(env));
}

/** Defender for Cloud JIT policies, api 2020-01-01. */
export function createSecurityCenter(env: ClientEnvironment, subscriptionId: string): SecurityCenter {
  return new SecurityCenter(env.credential, subscriptionId, classicOptions(env));
}

/** Compute is a modular client: `endpoint` + `credentials.scopes` (it ignores `credentialScopes`). */
export function createComputeClient(env: ClientEnvironment, subscriptionId: string): ComputeManagementClient {
  return new ComputeManagementClient(env.credential, subscriptionId, {
    endpoint: env.cloud.resourceManagerEndpoint,
    credentials: { scopes: [armScope(env.cloud)] },
    additionalPolicies: armPolicies(env),
  });
}

export function createNetworkClient(env: ClientEnvironment, subscriptionId: string): NetworkManagementClient {
  return new NetworkManagementClient(env.credential, subscriptionId, classicOptions(env));
}

/**
 * Resource Graph `resources` api-version. arm-resourcegraph 5.0.0-beta.4 defaults to the preview
 * 2021-06-01-preview; the query the product sends (`subscriptions`, `$top`, `$skipToken`,
 * `resultFormat`) is all in the stable 2021-03-01 (azure-rest-api-specs
 * `specification/resourcegraph/.../ResourceGraph/examples/2021-03-01`), which sovereign clouds also
 * serve (their supported list, quoted in microsoft/ARI#306, stops at 2022-10-01). The client's
 * `apiVersion` option pins it through the SDK's own api-version policy.
 */
export const RESOURCE_GRAPH_API_VERSION = "2021-03-01";

export function createResourceGraphClient(env: ClientEnvironment): ResourceGraphClient {
  return new ResourceGraphClient(env.credential, { ...classicOptions(env), apiVersion: RESOURCE_GRAPH_API_VERSION });
}

/** A page of an ARM list: `{value, nextLink}`. */
export interface ArmPage {
  value: unknown[];
  nextLink?: string;
}

/**
 * Tenant and subscription listing (`GET /tenants`, `GET /subscriptions`). @azure/arm-subscriptions 6
 * covers Microsoft.Subscription (aliases, rename) but not these two Microsoft.Resources lists, so
 * this sends them through that client's pipeline (same bearer, retry and logging policies).
 */
export interface ArmListClient {
  /**
   * Every item of a list, following `nextLink`. `path` is relative to the ARM endpoint. `POST` is for
   * list operations ARM exposes as actions (`getEntities`); every page is then a POST without a body.
   */
  listAll(path: string, apiVersion: string, signal?: AbortSignal, method?: "GET" | "POST"): Promise<unknown[]>;
}

export function createSubscriptionClient(env: ClientEnvironment): ArmListClient {
  const client = new SubscriptionClient(env.credential, classicOptions(env));
  const base = env.cloud.resourceManagerEndpoint.replace(/\/+$/, "");
  return {
    async listAll(path, apiVersion, signal, method = "GET") {
      const items: unknown[] = [];
      let url: string | undefined = `${base}${path}${path.includes("?") ? "&" : "?"}api-version=${encodeURIComponent(apiVersion)}`;
      while (url) {
        const request = createPipelineRequest({ url, method, abortSignal: signal });
        request.headers.set("Accept", "application/json");
        const response = await client.sendRequest(request);
        let body: unknown;
        try {
          body = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
        } catch {
          body = undefined;
        }
        if (response.status < 200 || response.status >= 300) {
          const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
          throw new RestError(error?.message ?? `${method} ${path} failed with HTTP ${response.status}`, { code: error?.code, statusCode: response.status, request, response });
        }
        const page = body as Partial<ArmPage> | undefined;
        items.push(...(Array.isArray(page?.value) ? page.value : []));
        url = typeof page?.nextLink === "string" && page.nextLink ? page.nextLink : undefined;
      }
      return items;
    },
  };
}

/**
 * Key Vault secrets client for one vault (whose host and port the caller checked against the cloud).
 * The vault's 401 challenge is verified by the SDK (its `resource` must be the vault's parent
 * domain), and the token audience is always the cloud's Key Vault resource: a challenge that asks
 * for any other audience gets no token (§5; azure-facts.md §8).
 */
export function createSecretClient(env: ClientEnvironment, vaultUrl: string): SecretClient {
  return new SecretClient(vaultUrl, vaultOnlyCredential(env), {
    disableChallengeResourceVerification: false,
    additionalPolicies: [{ policy: sameVaultPolicy(vaultUrl), position: "perCall" }, ...additionalPolicies(env)],
    // A custom cloud's vaults may be `.localhost` names; every other host goes to the default client.
    httpClient: sharedHttpClient(),
  });
}

/**
 * Keeps a vault client on its own vault: a request to any other origin (a list's `nextLink` is
 * followed as the server wrote it) is refused before the token policy runs, so no token goes there.
 */
export function sameVaultPolicy(vaultUrl: string): PipelinePolicy {
  const vault = new URL(vaultUrl).host;
  return sameOriginPolicy("azureJitSameVault", vaultUrl, (target) =>
    new JitError("VaultNotAllowed", `The vault ${vault} sent this client to ${target.host}, another host. No token was sent.`, { details: { vaultHost: target.host } }),
  );
}

/** The scope a Key Vault token is requested for: `<keyVaultAudience>/.default`, nothing else. */
export function keyVaultScope(cloud: CloudEnvironment): string {
  return `${cloud.keyVaultAudience.replace(/\/+$/, "")}/.default`;
}

/** A credential that hands out Key Vault tokens only, whatever scope a server's challenge names. */
export function vaultOnlyCredential(env: Pick<ClientEnvironment, "cloud" | "credential">): TokenCredential {
  const scope = keyVaultScope(env.cloud);
  const same = (a: string): boolean => a.replace(/\/+\.default$/, "/.default").toLowerCase() === scope.toLowerCase();
  return {
    async getToken(scopes, options) {
      const asked = typeof scopes === "string" ? [scopes] : scopes;
      if (asked.length !== 1 || !same(asked[0] ?? "")) {
        throw new JitError("VaultNotAllowed", `The Key Vault asked for a token for ${asked.map((a) => JSON.stringify(a)).join(", ")}, not for ${scope}. No token was sent.`);
      }
      return env.credential.getToken(scope, options);
    },
  };
}

let httpClient: ReturnType<typeof loopbackAwareHttpClient> | undefined;

/** `.localhost` names (RFC 6761) reach loopback even inside VS Code's proxy patch, see loopbackHttpClient.ts. */
function sharedHttpClient(): ReturnType<typeof loopbackAwareHttpClient> {
  httpClient ??= loopbackAwareHttpClient();
  return httpClient;
}

/**
 * The sign-in credential for the non-VS Code methods. Every one allows any tenant, because the
 * user's VMs may live in tenants where they are a guest (PIM needs a token from the resource tenant).
 */
export function createCredential(config: CredentialConfig): TokenCredential {
  const common = {
    authorityHost: config.cloud.authorityHost,
    // MSAL would otherwise validate an unknown authority against login.microsoftonline.com.
    disableInstanceDiscovery: config.cloud.custom,
    additionallyAllowedTenants: ["*"],
  };
  switch (config.method) {
    case "deviceCode":
      // On MSAL directly: one sign-in also serves guest tenants, and the cache can persist (see there).
      return new MsalDeviceCodeCredential({ cloud: config.cloud, tenantId: config.tenantId, clientId: config.clientId, userPrompt: config.userPrompt, persistence: config.persistence, logger: config.logger });
    case "servicePrincipal":
      if ("clientSecret" in config) return new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret, common);
      return new ClientCertificateCredential(config.tenantId, config.clientId, { certificatePath: config.certificatePath, certificatePassword: config.certificatePassword }, common);
    case "azureCli":
      return new AzureCliCredential({ tenantId: config.tenantId, additionallyAllowedTenants: ["*"] });
  }
}
