/** Raw calls to a test simulator: the JSON exactly as the simulator sends it (no SDK deserialisation). */
import { loopbackPolicy } from "../../support/loopbackHttps";
import type { TokenCredential } from "@azure/core-auth";
import { bearerTokenAuthenticationPolicy, createDefaultHttpClient, createEmptyPipeline, createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import type { TestSimulator } from "../../support/simulator";

export interface RawReply {
  status: number;
  json: unknown;
  headers: Record<string, string>;
}

/** One HTTPS request with a bearer token for `scope`; `url` is absolute or relative to ARM. */
export async function rawCall(ts: TestSimulator, credential: TokenCredential, method: "GET" | "POST" | "PUT", url: string, body?: unknown, scope = ts.settings.armScope): Promise<RawReply> {
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: [scope] }));
  // The simulator's vaults are `<vault>.vault.localhost`: resolved to loopback, as the product does.
  pipeline.addPolicy(loopbackPolicy);
  const request = createPipelineRequest({
    url: url.startsWith("https://") ? url : `${ts.settings.resourceManagerEndpoint}${url}`,
    method,
    headers: createHttpHeaders({ "content-type": "application/json", accept: "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const response = await pipeline.sendRequest(createDefaultHttpClient(), request);
  return { status: response.status, json: response.bodyAsText ? (JSON.parse(response.bodyAsText) as unknown) : undefined, headers: response.headers.toJSON() };
}
