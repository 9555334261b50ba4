import type { SimRequest } from "./request";

/** What a handler answers. `body` objects are sent as JSON; strings as they are. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

export type RouteParams = Record<string, string>;
export type Handler = (req: SimRequest, params: RouteParams) => Promise<Reply> | Reply;

interface Route {
  method: string;
  pattern: string[];
  handler: Handler;
}

export type RouteMatch = { kind: "found"; handler: Handler; params: RouteParams } | { kind: "methodNotAllowed" } | { kind: "none" };

/**
 * A small router over path segments. Literal segments match case-insensitively (ARM paths are
 * case-insensitive); `{name}` matches one segment; `{*name}` matches any number of segments
 * (scope-style paths `/{scope}/providers/...`, §2) and the captured value is "/"-joined with a
 * leading slash ("" for none).
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method: method.toUpperCase(), pattern: pattern.split("/").filter((s) => s.length > 0), handler });
    return this;
  }

  match(method: string, segments: string[]): RouteMatch {
    let pathMatched = false;
    for (const route of this.routes) {
      const params: RouteParams = {};
      if (!matchSegments(route.pattern, 0, segments, 0, params)) continue;
      if (route.method !== method) {
        pathMatched = true;
        continue;
      }
      return { kind: "found", handler: route.handler, params };
    }
    return pathMatched ? { kind: "methodNotAllowed" } : { kind: "none" };
  }
}

function matchSegments(pattern: string[], pi: number, segs: string[], si: number, params: RouteParams): boolean {
  if (pi === pattern.length) return si === segs.length;
  const p = pattern[pi]!;
  if (p.startsWith("{*") && p.endsWith("}")) {
    const name = p.slice(2, -1);
    // Shortest first: a scope never swallows the `providers/...` tail the rest of the pattern needs.
    for (let end = si; end <= segs.length; end++) {
      if (matchSegments(pattern, pi + 1, segs, end, params)) {
        params[name] = end === si ? "" : `/${segs.slice(si, end).join("/")}`;
        return true;
      }
    }
    return false;
  }
  const s = segs[si];
  if (s === undefined) return false;
  if (p.startsWith("{") && p.endsWith("}")) {
    params[p.slice(1, -1)] = s;
    return matchSegments(pattern, pi + 1, segs, si + 1, params);
  }
  return p.toLowerCase() === s.toLowerCase() && matchSegments(pattern, pi + 1, segs, si + 1, params);
}
