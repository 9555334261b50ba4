/**
 * A custom cloud's vault at `<vault>.vault.localhost` is reached from inside VS Code's extension
 * host. VS Code patches `https.request` (`http.proxySupport: "override"`, the default) and replaces
 * the agent of every request to a host other than `localhost` / `127.0.0.1` with its own; this suite
 * applies the same replacement (the agent dropped, the request's own options kept, as
 * @vscode/proxy-agent's createHttpPatch does) and checks the product's client still arrives, while
 * an agent-only resolver, as before, does not.
 */
import assert from "node:assert/strict";
import * as https from "node:https";
import { syncBuiltinESMExports } from "node:module";
import { after, afterEach, before, describe, it } from "node:test";
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest, type HttpClient, type PipelineRequest } from "@azure/core-rest-pipeline";
import { loopbackAwareHttpClient } from "../../../src/core/azure/loopbackHttpClient";
import { loopbackAgent } from "../../../src/core/net/loopbackNames";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";

type RequestFn = typeof https.request;
// The module object itself (as VS Code patches it), not this file's namespace view of it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const httpsModule = require("node:https") as { request: RequestFn };
const originalRequest = httpsModule.request;

/** What VS Code's proxy patch does to a request to a name other than localhost: a new agent, same options. */
function patchLikeVsCode(): void {
  httpsModule.request = ((options: https.RequestOptions, callback?: Parameters<RequestFn>[1]) => {
    const host = options.hostname ?? options.host;
    const keepAgent = host === "localhost" || host === "127.0.0.1";
    return originalRequest({ ...options, agent: keepAgent ? options.agent : new https.Agent() }, callback as never);
  }) as RequestFn;
  syncBuiltinESMExports();
}

describe("the SDK client for .localhost names", { timeout: 60_000 }, () => {
  let ts: TestSimulator;
  let vaultUrl: string;
  before(async () => {
    ts = await startTestSimulator("demo", { startVms: false });
    vaultUrl = ts.sim.scenario.vaults.find((v) => v.name === "kv-contoso")!.uri;
  });
  after(async () => ts?.stop());
  afterEach(() => {
    httpsModule.request = originalRequest;
    syncBuiltinESMExports();
  });

  const secretRequest = (): PipelineRequest => createPipelineRequest({ url: `${vaultUrl}/secrets/vm-dev-01-ssh-key?api-version=2025-07-01` });

  it("reaches the vault when the agent is replaced, and the vault answers with its challenge", async () => {
    assert.match(new URL(vaultUrl).hostname, /\.vault\.localhost$/);
    patchLikeVsCode();
    const response = await loopbackAwareHttpClient().sendRequest(secretRequest());
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer /);
  });

  it("control: an agent that resolves .localhost is not enough once the agent is replaced", async () => {
    patchLikeVsCode();
    const request = secretRequest();
    request.agent = loopbackAgent();
    await assert.rejects(createDefaultHttpClient().sendRequest(request), /ENOTFOUND|EAI_AGAIN/);
  });

  it("sends the body and returns the answer as text", async () => {
    const request = createPipelineRequest({ url: `${vaultUrl}/secrets/note?api-version=2025-07-01`, method: "PUT", body: JSON.stringify({ value: "x" }) });
    request.headers.set("content-type", "application/json");
    const response = await loopbackAwareHttpClient().sendRequest(request);
    assert.equal(response.status, 401);
    assert.equal(typeof response.bodyAsText, "string");
  });

  it("leaves every other host to the default client", async () => {
    const seen: string[] = [];
    const fallback: HttpClient = {
      async sendRequest(request) {
        seen.push(request.url);
        return { request, status: 204, headers: createHttpHeaders() };
      },
    };
    const response = await loopbackAwareHttpClient(fallback).sendRequest(createPipelineRequest({ url: "https://kv-contoso.vault.azure.net/secrets/x" }));
    assert.equal(response.status, 204);
    assert.deepEqual(seen, ["https://kv-contoso.vault.azure.net/secrets/x"]);
  });

  it("a cancelled request rejects as an AbortError, and plain http is refused", async () => {
    const controller = new AbortController();
    controller.abort();
    const cancelled = createPipelineRequest({ url: `${vaultUrl}/secrets/x`, abortSignal: controller.signal });
    await assert.rejects(loopbackAwareHttpClient().sendRequest(cancelled), (e: Error) => e.name === "AbortError");
    await assert.rejects(loopbackAwareHttpClient().sendRequest(createPipelineRequest({ url: "http://kv.vault.localhost:1/secrets/x" })), /Only https/);
  });
});
