import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { randomUUID } from "node:crypto";
import type { AuditEntry } from "../contracts";
import type { AuditLog } from "../observe/auditLog";
import { redactPath } from "../observe/auditLog";
import type { FaultRules } from "../observe/faults";
import { HttpError } from "./errors";
import { normaliseRequest, type SimRequest } from "./request";
import type { Reply } from "./router";

export interface RunningServer {
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** How a service renders an error: ARM/Key Vault CloudError, or OAuth for the login origin. */
export type ErrorFormat = "cloudError" | "oauth";

export interface ServiceOptions {
  /** Which audit/fault service a request belongs to (ARM splits into arm.pim, arm.jit, ...). */
  service: (req: SimRequest) => AuditEntry["service"];
  handle: (req: SimRequest) => Promise<Reply>;
  errorFormat: ErrorFormat;
  now: () => number;
  audit: AuditLog;
  faults: FaultRules;
}

const MAX_BODY = 5 * 1024 * 1024;

/**
 * Starts one origin. TLS when `tls` is given (every Azure origin: SDKs refuse bearer tokens over
 * http, §0.2); plain http for the control API only. Every response carries `Date` from the
 * simulated clock and an `x-ms-request-id`, like Azure front ends.
 */
export async function startServer(
  opts: ServiceOptions & { tls?: { cert: string; key: string }; port?: number; host?: string },
): Promise<RunningServer> {
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void serve(opts, origin, req, res);
  };
  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, listener) : http.createServer(listener);
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.keepAliveTimeout = 5000;
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = opts.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;
  return {
    origin,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

/** JSON bodies nest at most this deep (ARM's own limit is not documented: assumed, FIDELITY.md). */
export const MAX_JSON_DEPTH = 64;

/**
 * Reads the body, up to MAX_BODY. Beyond it, stops reading and answers 413: the rest of the body is
 * still on the connection, so the reply closes it (`Connection: close`) rather than let the
 * leftover bytes be parsed as the next keep-alive request, which reset that request.
 */
function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.off("data", onData);
        req.pause();
        reject(new HttpError(413, "RequestEntityTooLarge", "The request body is too large.", { Connection: "close" }));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Refuses JSON nested deeper than MAX_JSON_DEPTH with ARM's InvalidRequestContent 400, before any
 * handler walks it: one linear scan, brackets inside strings ignored.
 */
export function checkJsonDepth(body: Buffer): void {
  const first = body.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d);
  if (first !== 0x7b && first !== 0x5b) return; // not JSON (forms, empty bodies)
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) throw new HttpError(400, "InvalidRequestContent", `The request content was invalid and could not be deserialized: it nests deeper than ${MAX_JSON_DEPTH} levels.`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

async function serve(opts: ServiceOptions, origin: string, raw: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const requestId = randomUUID();
  let req: SimRequest | undefined;
  let reply: Reply;
  try {
    const body = await readBody(raw);
    checkJsonDepth(body);
    req = normaliseRequest(raw.method ?? "GET", raw.url ?? "/", raw.headers, body, origin, raw.socket.remoteAddress?.replace(/^::ffff:/, ""));
    reply = await withFaults(opts, req);
  } catch (e) {
    reply = errorReply(e, opts.errorFormat);
  }
  const service = req ? (req.audit.service ?? safeService(opts, req)) : "control";
  res.setHeader("Date", new Date(opts.now()).toUTCString());
  res.setHeader("x-ms-request-id", requestId);
  res.setHeader("x-ms-correlation-request-id", headerText(raw.headers["x-ms-client-request-id"]) ?? requestId);
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  let payload: string | Buffer | undefined;
  if (reply.body !== undefined) {
    if (typeof reply.body === "string" || Buffer.isBuffer(reply.body)) {
      payload = reply.body;
      res.setHeader("Content-Type", reply.contentType ?? "text/plain; charset=utf-8");
    } else {
      payload = JSON.stringify(reply.body);
      res.setHeader("Content-Type", reply.contentType ?? "application/json; charset=utf-8");
    }
  }
  res.statusCode = reply.status;
  // After a 413 the unread rest of the body is on the socket: close it once the reply is out.
  if (reply.headers?.Connection === "close") res.on("finish", () => raw.socket.destroySoon());
  res.end(payload);
  opts.audit.record({
    service,
    method: req?.method ?? raw.method ?? "?",
    path: redactPath(req ? `${req.path}${req.url.search}` : (raw.url ?? "")),
    status: reply.status,
    ...(req?.audit.principal ? { principal: req.audit.principal } : {}),
    ...(req?.audit.detail ? { detail: req.audit.detail } : {}),
    ...(req?.nonCanonicalPath ? { nonCanonicalPath: redactPath(req.nonCanonicalPath) } : {}),
  });
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function safeService(opts: ServiceOptions, req: SimRequest): AuditEntry["service"] {
  try {
    return opts.service(req);
  } catch {
    return "control";
  }
}

async function withFaults(opts: ServiceOptions, req: SimRequest): Promise<Reply> {
  const service = opts.service(req);
  req.audit.service = service;
  const fault = opts.faults.take(service, req.method, req.path);
  if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
  if (fault?.status) {
    req.audit.detail = `fault injected: ${fault.status}`;
    const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { "Retry-After": String(fault.retryAfterSeconds) } : {};
    const code = fault.status === 429 ? "TooManyRequests" : fault.status === 503 ? "ServiceUnavailable" : "InjectedFault";
    return errorReply(new HttpError(fault.status, code, `Injected fault (simulator): HTTP ${fault.status}.`, headers), opts.errorFormat);
  }
  const reply = await opts.handle(req);
  if (fault?.nextLinkOrigin) rewriteNextLink(reply, fault.nextLinkOrigin, req);
  return reply;
}

/** The `nextLinkOrigin` fault: the answer's `nextLink` points at another origin. */
function rewriteNextLink(reply: Reply, origin: string, req: SimRequest): void {
  const body = reply.body;
  if (typeof body !== "object" || body === null || Buffer.isBuffer(body)) return;
  const link = (body as { nextLink?: unknown }).nextLink;
  if (typeof link !== "string") return;
  const moved = new URL(link);
  const target = new URL(origin);
  moved.protocol = target.protocol;
  moved.host = target.host;
  (body as { nextLink: string }).nextLink = moved.toString();
  req.audit.detail = `fault injected: nextLink moved to ${target.host}`;
}

export function errorReply(e: unknown, format: ErrorFormat): Reply {
  const err = e instanceof HttpError ? e : new HttpError(500, "InternalServerError", `Simulator error: ${e instanceof Error ? e.message : String(e)}`);
  if (!(e instanceof HttpError)) process.stderr.write(`[azsim] unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  if (format === "oauth") {
    return { status: err.status, headers: err.headers, body: { error: err.code, error_description: err.message, ...err.extra } };
  }
  return { status: err.status, headers: err.headers, body: { error: { code: err.code, message: err.message, ...err.extra } } };
}
