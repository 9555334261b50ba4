/**
 * Plays Microsoft's official example responses to the product's own SDK clients, and records what
 * the product sends. Nothing here is a product code path: the policies are added by the test to the
 * pipelines of the clients the product already built (`client.pipeline.addPolicy`), after the Sign
 * phase, so every product and SDK policy (bearer, retry, deserialisation) runs as in production and
 * only the last hop, the HTTP client, is replaced by the example's bytes.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import { createHttpHeaders, type Pipeline, type PipelinePolicy, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { type AzureContext, createAzureContext } from "../../../src/core/azure/azureContext";
import { BUILT_IN_CLOUDS } from "../../../src/core/cloud";

/** One official example file: its request parameters and its responses by status code. */
export interface OfficialExample {
  parameters: Record<string, unknown>;
  responses: Record<string, { body?: unknown }>;
}

const FIXTURES = path.join(__dirname, "..", "fixtures");

export function officialExample(file: string): OfficialExample {
  return JSON.parse(readFileSync(path.join(FIXTURES, file), "utf8")) as OfficialExample;
}

/** The example's response body for `status` (the only one when not given). */
export function exampleBody(file: string, status?: number): unknown {
  const example = officialExample(file);
  const key = status === undefined ? Object.keys(example.responses)[0]! : String(status);
  return example.responses[key]?.body;
}

/** What the product sent: method, URL and the parsed JSON body (when it had one). */
export interface RecordedRequest {
  method: string;
  url: URL;
  body?: unknown;
}

function recordOf(request: PipelineRequest): RecordedRequest {
  const text = typeof request.body === "string" ? request.body : undefined;
  return { method: request.method, url: new URL(request.url), ...(text ? { body: JSON.parse(text) as unknown } : {}) };
}

export type Route = (request: RecordedRequest) => { status: number; body?: unknown };

/** Answers every request with `route`'s example body, and records the request. */
export function replay(route: Route, log: RecordedRequest[] = []): PipelinePolicy {
  return {
    name: "contractReplay",
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const recorded = recordOf(request);
      log.push(recorded);
      const { status, body } = route(recorded);
      return {
        request,
        status,
        headers: createHttpHeaders(body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
        ...(body === undefined ? {} : { bodyAsText: JSON.stringify(body) }),
      };
    },
  };
}

/** Records what the product sends to a real (simulated) service, and passes it on unchanged. */
export function recorder(log: RecordedRequest[]): PipelinePolicy {
  return {
    name: "contractRecorder",
    sendRequest(request, next) {
      log.push(recordOf(request));
      return next(request);
    },
  };
}

/** Adds `policy` as the last hop of a client's pipeline (after the bearer token is set). */
export function lastHop(client: { pipeline: Pipeline }, policy: PipelinePolicy): void {
  client.pipeline.addPolicy(policy, { afterPhase: "Sign" });
}

/** A syntactically valid bearer token (never sent anywhere: the replay answers before the network). */
function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}

export const EXAMPLE_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/** The product's Azure context for the public cloud, with a credential that needs no sign-in. */
export async function offlineContext(): Promise<AzureContext> {
  const credential: TokenCredential = {
    getToken: async () => ({ token: unsignedJwt({ tid: EXAMPLE_TENANT, oid: "a3bb8764-cb92-4276-9d2a-ca1e895e55ea", exp: Math.floor(Date.now() / 1000) + 3600 }), expiresOnTimestamp: Date.now() + 3600_000 }),
  };
  return createAzureContext({ cloud: BUILT_IN_CLOUDS.AzureCloud, credential });
}
