import { badRequest } from "./errors";
import { queryParam, type SimRequest } from "./request";

/**
 * ARM list paging: `{"value":[...],"nextLink":"<absolute URL>"}`; the SDKs follow nextLink
 * verbatim (§0.2). The continuation is an opaque `$skiptoken` on the same URL.
 */
export function page<T>(req: SimRequest, items: T[], pageSize: number): { value: T[]; nextLink?: string } {
  const token = queryParam(req, "$skiptoken");
  let offset = 0;
  if (token !== undefined) {
    const decoded = Number(Buffer.from(token, "base64url").toString("utf8").replace(/^o:/, ""));
    if (!Number.isInteger(decoded) || decoded < 0) throw badRequest("The provided $skiptoken is invalid.", "InvalidSkipToken");
    offset = decoded;
  }
  const value = items.slice(offset, offset + pageSize);
  if (offset + pageSize >= items.length) return { value };
  const next = new URL(req.url.toString());
  next.searchParams.set("$skiptoken", Buffer.from(`o:${offset + pageSize}`).toString("base64url"));
  return { value, nextLink: next.toString() };
}
