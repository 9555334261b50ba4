// Part of the lazy Azure SDK chunk: imported by azureSdk.ts only.
import * as https from "node:https";
import type { IncomingMessage } from "node:http";
import { createDefaultHttpClient, createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse, RestError } from "@azure/core-rest-pipeline";
import { isLoopbackName, loopbackAgent, loopbackAwareLookup } from "../net/loopbackNames";

/**
 * The HTTP client of SDK clients whose hosts may be `.localhost` names (RFC 6761: loopback), e.g. a
 * custom cloud's Key Vault at `<vault>.vault.localhost`. Every other host goes to the SDK's default
 * client unchanged.
 *
 * Why not just an agent with a loopback `lookup`: VS Code's extension host patches `https.request`
 * (`http.proxySupport`, default "override") and replaces any agent the request carries with its own
 * proxy agent, keeping the original only for the exact names `localhost` and `127.0.0.1`. The
 * request's own options survive that patch and reach the socket, so the loopback `lookup` travels in
 * the request options, not only in the agent.
 */
export function loopbackAwareHttpClient(fallback: HttpClient = createDefaultHttpClient()): HttpClient {
  return {
    sendRequest(request) {
      const url = new URL(request.url);
      if (!isLoopbackName(url.hostname)) return fallback.sendRequest(request);
      return sendToLoopback(request, url);
    },
  };
}

/** The SDK's retry and polling code recognise cancellation by this name (as @azure/abort-controller's AbortError). */
class AbortError extends Error {
  override readonly name = "AbortError";
}

function sendToLoopback(request: PipelineRequest, url: URL): Promise<PipelineResponse> {
  if (url.protocol !== "https:") {
    return Promise.reject(new RestError(`Only https is used for ${url.host}.`, { code: RestError.REQUEST_SEND_ERROR, request }));
  }
  const body = requestBody(request);
  if (body instanceof RestError) return Promise.reject(body);
  return new Promise<PipelineResponse>((resolve, reject) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of request.headers) headers[name] = value;
    if (body !== undefined) headers["content-length"] = String(body.byteLength);
    const req = https.request(
      {
        hostname: url.hostname,
        port: url.port ? Number(url.port) : 443,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers,
        agent: loopbackAgent(),
        lookup: loopbackAwareLookup,
        servername: url.hostname,
      },
      (res) => respond(request, res).then(resolve, reject),
    );
    const signal = request.abortSignal;
    const abort = (): void => {
      req.destroy(new AbortError("The request was cancelled."));
    };
    if (signal?.aborted) abort();
    signal?.addEventListener("abort", abort);
    req.on("close", () => signal?.removeEventListener("abort", abort));
    req.on("error", (cause: Error) => {
      if (cause instanceof AbortError || cause instanceof RestError) return reject(cause);
      reject(new RestError(cause.message, { code: RestError.REQUEST_SEND_ERROR, request }));
    });
    if (request.timeout > 0) {
      req.setTimeout(request.timeout, () => req.destroy(new RestError(`No answer from ${url.host} within ${request.timeout} ms.`, { code: RestError.REQUEST_SEND_ERROR, request })));
    }
    req.end(body);
  });
}

/** The bodies the Key Vault and ARM clients send: JSON text or bytes. Streams and forms are not used here. */
function requestBody(request: PipelineRequest): Buffer | undefined | RestError {
  const body = request.body;
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return new RestError(`A streamed or form request body is not supported for ${new URL(request.url).host}.`, { code: RestError.REQUEST_SEND_ERROR, request });
}

async function respond(request: PipelineRequest, res: IncomingMessage): Promise<PipelineResponse> {
  const headers = createHttpHeaders();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const status = res.statusCode ?? 0;
  const base = { request, status, headers };
  const streamed = request.streamResponseStatusCodes?.has(status) === true || request.streamResponseStatusCodes?.has(Number.POSITIVE_INFINITY) === true;
  if (streamed) return { ...base, readableStreamBody: res };
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { ...base, bodyAsText: Buffer.concat(chunks).toString("utf8") };
}
