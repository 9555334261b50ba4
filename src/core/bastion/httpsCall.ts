import * as https from "node:https";
import { CancellationError } from "../cancellation";
import { JitError } from "../errors";

/**
 * A minimal HTTPS call for the Bastion data plane (not ARM: no SDK, no pipeline). Node's https
 * module rather than fetch: it honours NODE_EXTRA_CA_CERTS and VS Code's proxy patching of the
 * https module, reuses keep-alive connections through an Agent, and lets us bound the body we read.
 */
export interface HttpsCall {
  method: "GET" | "POST" | "DELETE";
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Default: Node's global agent (keep-alive since Node 19), so token requests reuse TLS connections. */
  agent?: https.Agent;
  /** Gives up after this long (default 30 s). */
  timeoutMs?: number;
  /** Bodies beyond this are cut (default 256 KiB): a session is a few KB, an error needs one line. */
  maxBodyBytes?: number;
}

export interface HttpsResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Performs the call. Rejects with `CancellationError` when `signal` aborts, `JitError("Timeout")`
 * after `timeoutMs`, `JitError("NetworkError")` when the server cannot be reached. Never puts the
 * URL in an error message (Bastion URLs carry tokens).
 */
export function httpsCall(call: HttpsCall, signal?: AbortSignal): Promise<HttpsResult> {
  if (signal?.aborted) return Promise.reject(new CancellationError());
  const url = new URL(call.url);
  const maxBody = call.maxBodyBytes ?? 256 * 1024;
  const timeoutMs = call.timeoutMs ?? 30_000;
  return new Promise<HttpsResult>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, result?: HttpsResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (error) {
        req.destroy();
        reject(error);
      } else if (result) resolve(result);
    };
    const onAbort = (): void => finish(new CancellationError());
    const body = call.body === undefined ? undefined : Buffer.from(call.body, "utf8");
    const req = https.request(
      {
        method: call.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        agent: call.agent,
        headers: { ...call.headers, ...(body ? { "Content-Length": String(body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          if (size >= maxBody) return;
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on("end", () =>
          finish(undefined, {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).subarray(0, maxBody).toString("utf8"),
          }),
        );
        res.on("error", (e) => finish(new JitError("NetworkError", `The connection to ${url.host} broke: ${e.message}`, { cause: e })));
      },
    );
    req.on("error", (e) => finish(new JitError("NetworkError", `Cannot reach ${url.host}: ${e.message}`, { cause: e })));
    const timer = setTimeout(
      () => finish(new JitError("Timeout", `${url.host} did not answer within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    signal?.addEventListener("abort", onAbort, { once: true });
    req.end(body);
  });
}
