/** Official SDK clients pointed at a test simulator (the way the product configures them for a custom cloud). */
import type { TokenCredential } from "@azure/core-auth";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ComputeManagementClient } from "@azure/arm-compute";
import { NetworkManagementClient } from "@azure/arm-network";
import { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { SecurityCenter } from "@azure/arm-security";
import { SecretClient } from "@azure/keyvault-secrets";
import { bearerTokenAuthenticationPolicy, createEmptyPipeline, createHttpHeaders, createPipelineRequest, createDefaultHttpClient, type PipelineResponse } from "@azure/core-rest-pipeline";
import { loopbackPolicy } from "../support/loopbackHttps";
import type { TestSimulator } from "../support/simulator";

export function clients(ts: TestSimulator, credential: TokenCredential, subscriptionId = "00000000-0000-0000-0000-000000000000") {
  const endpoint = ts.settings.resourceManagerEndpoint;
  const scopes = [ts.settings.armScope];
  return {
    authorization: new AuthorizationManagementClient(credential, subscriptionId, { endpoint, credentialScopes: scopes }),
    compute: new ComputeManagementClient(credential, subscriptionId, { endpoint, credentials: { scopes } }),
    network: new NetworkManagementClient(credential, subscriptionId, { endpoint, credentialScopes: scopes }),
    graph: new ResourceGraphClient(credential, { endpoint, credentialScopes: scopes }),
    security: new SecurityCenter(credential, subscriptionId, { endpoint, credentialScopes: scopes }),
    // Challenge verification on (the SDK default): the simulator's challenge names the vaults' parent domain.
    secrets: (vaultUrl: string) => new SecretClient(vaultUrl, credential, { additionalPolicies: [{ policy: loopbackPolicy, position: "perRetry" }] }),
    /** For ARM routes no installed SDK package covers (subscriptions/tenants listing): the SDK pipeline itself. */
    raw: (method: "GET" | "POST", path: string, body?: unknown) => sendArm(ts, credential, method, path, body),
  };
}

export async function sendArm(ts: TestSimulator, credential: TokenCredential, method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; json: unknown; response: PipelineResponse }> {
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: [ts.settings.armScope] }));
  const request = createPipelineRequest({
    url: path.startsWith("https://") ? path : `${ts.settings.resourceManagerEndpoint}${path}`,
    method,
    headers: createHttpHeaders({ "content-type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const response = await pipeline.sendRequest(createDefaultHttpClient(), request);
  return { status: response.status, json: response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined, response };
}
