import { type ServerResponse, STATUS_CODES } from "node:http";
import { type Duplex } from "node:stream";
import { type DataPlaneHooks } from "../contracts";

/** `Date` header value from the simulated clock (clients derive clock skew from it). */
export function httpDate(hooks: DataPlaneHooks): string {
  return new Date(hooks.now()).toUTCString();
}

/**
 * The path as it may be logged or matched by fault rules: tokens replaced by `<redacted>`, query
 * dropped. Both the session token (`/api/tokens/{authToken}`) and the WebSocket token (the only
 * credential of the upgrade) are secrets.
 */
export function redactPath(rawUrl: string | undefined): string {
  const pathname = (rawUrl ?? "/").split("?")[0] ?? "/";
  return pathname
    .replace(/^(\/api\/tokens\/)[^/]+/i, "$1<redacted>")
    .replace(/^(\/webtunnelv2\/)[^/]+/i, "$1<redacted>")
    .replace(/^(\/omni\/webtunnel\/)[^/]+/i, "$1<redacted>");
}

/** A JSON answer. Errors are `{"message": ...}`: the az CLI json-parses every non-200 body (§1.4). */
export function sendJson(res: ServerResponse, hooks: DataPlaneHooks, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    Date: httpDate(hooks),
    ...headers,
  });
  res.end(text);
}

export function sendNoContent(res: ServerResponse, hooks: DataPlaneHooks): void {
  res.writeHead(204, { Date: httpDate(hooks), "Cache-Control": "no-store" });
  res.end();
}

/** Refuses a WebSocket upgrade with a plain HTTP response, before any WebSocket exists. */
export function refuseUpgrade(socket: Duplex, hooks: DataPlaneHooks, status: number, message: string, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const body = `${message}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}`,
    `Date: ${httpDate(hooks)}`,
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
}

/** `Retry-After` for a fault that asks for one. */
export function retryAfterHeader(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { "Retry-After": String(seconds) };
}
