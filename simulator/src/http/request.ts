import type { IncomingHttpHeaders } from "node:http";
import type { AuditEntry } from "../contracts";

/**
 * One request as every simulator handler sees it, normalised the way ARM does: repeated slashes
 * collapsed (`//subscriptions/x` from scope-style SDK paths, §0.2), query keys percent-decoded
 * (`api%2Dversion`, §0.2), path segments decoded.
 */
export interface SimRequest {
  method: string;
  /** Normalised path: single slashes, no trailing slash (except "/"). */
  path: string;
  /** Decoded path segments. */
  segments: string[];
  /** True when the raw path ended with "/" (Key Vault's `secrets/{name}/`). */
  trailingSlash: boolean;
  /**
   * The raw path when it held a run of slashes (`//providers/...` from an SDK given an empty scope).
   * ARM accepts such paths (azure-facts §7), so the request is served, but the audit log keeps the raw
   * form so that a test can assert the product sends only canonical paths.
   */
  nonCanonicalPath?: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** `https://localhost:<port>` of the server that received the request. */
  origin: string;
  /** Absolute URL as the client sent it (for nextLink). */
  url: URL;
  /** The client's address as the server saw it (JIT uses it when a request names no source prefix). */
  remoteAddress?: string;
  /** Filled by handlers for the audit log. */
  audit: { service?: AuditEntry["service"]; principal?: string; detail?: string };
}

export function normaliseRequest(method: string, rawUrl: string, headers: IncomingHttpHeaders, body: Buffer, origin: string, remoteAddress?: string): SimRequest {
  const qIndex = rawUrl.indexOf("?");
  const rawPath = qIndex >= 0 ? rawUrl.slice(0, qIndex) : rawUrl;
  const rawQuery = qIndex >= 0 ? rawUrl.slice(qIndex + 1) : "";
  const collapsed = rawPath.replace(/\/{2,}/g, "/");
  const segments = collapsed
    .split("/")
    .filter((s) => s.length > 0)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  const path = `/${segments.join("/")}`;
  return {
    method: method.toUpperCase(),
    path,
    segments,
    trailingSlash: collapsed.length > 1 && collapsed.endsWith("/"),
    ...(collapsed !== rawPath ? { nonCanonicalPath: rawPath } : {}),
    query: new URLSearchParams(rawQuery),
    headers,
    body,
    origin,
    url: new URL(`${origin}${collapsed}${rawQuery ? `?${rawQuery}` : ""}`),
    ...(remoteAddress ? { remoteAddress } : {}),
    audit: {},
  };
}

/** Case-insensitive lookup of a query parameter (ARM accepts `API-VERSION` too). */
export function queryParam(req: SimRequest, name: string): string | undefined {
  const direct = req.query.get(name);
  if (direct !== null) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of req.query) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export function header(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
