/**
 * `POST /providers/Microsoft.ResourceGraph/resources` (§4.4): a real KQL subset over the
 * caller-visible resources of the requested subscriptions, `options.$top` (default 100, max
 * 1000), `$skip`, an opaque `$skipToken` (only when the result has an `id` column, as ARG
 * documents; otherwise `resultTruncated: "true"`), `resultFormat` objectArray (default) or table,
 * `totalRecords`, `count`, `resultTruncated` as a string.
 * Performance: rows come from the (subscription, type) index when the query filters on `type`;
 * a query's full result is cached briefly under its skip token so that paging does not re-run it.
 */
import { createHash, randomUUID } from "node:crypto";
import { HttpError } from "../../http/errors";
import { queryParam } from "../../http/request";
import type { Router } from "../../http/router";
import { isObject, prop, str } from "../../util/caseInsensitive";
import { callerOf, type ArmDeps } from "../armContext";
import { argRow } from "./argRows";
import { requiredTypes, run, type Row } from "./kqlEvaluate";
import { KqlSyntaxError } from "./kqlLexer";
import { parseKql } from "./kqlParser";

interface CachedResult {
  rows: Row[];
  columns?: string[];
  at: number;
}

const CACHE_MS = 60_000;
/**
 * The api-versions ARM routes for `Microsoft.ResourceGraph/resources`, as a sovereign cloud listed
 * them in its refusal of another one (microsoft/ARI#306, Azure/Well-Architected-Reliability-Assessment#157);
 * anything else gets that refusal (404 InvalidResourceType, as in Azure/azure-sdk-for-python#17932).
 */
const SUPPORTED_API_VERSIONS = ["2018-09-01-preview", "2019-04-01", "2021-03-01", "2021-06-01-preview", "2022-10-01"];
const CACHE_MAX = 32;

export function registerResourceGraph(router: Router, deps: ArmDeps): void {
  const cache = new Map<string, CachedResult>();

  router.add("POST", "/providers/Microsoft.ResourceGraph/resources", (req) => {
    const apiVersion = queryParam(req, "api-version") ?? "";
    if (!SUPPORTED_API_VERSIONS.includes(apiVersion.toLowerCase())) {
      throw new HttpError(404, "InvalidResourceType", `The resource type 'resources' could not be found in the namespace 'Microsoft.ResourceGraph' for api version '${apiVersion}'. The supported api-versions are '${SUPPORTED_API_VERSIONS.join(",")}'.`);
    }
    const caller = callerOf(req);
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString("utf8") || "{}");
    } catch {
      throw new HttpError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
    }
    const query = str(prop(body, "query"));
    if (!query) throw new HttpError(400, "BadRequest", "The 'query' field is required.");
    const options = prop(body, "options");
    const top = numberOption(options, "$top") ?? 100;
    const skip = numberOption(options, "$skip") ?? 0;
    if (top < 1 || top > 1000) throw new HttpError(400, "BadRequest", "The value of '$top' must be between 1 and 1000.");
    const format = (str(prop(options, "resultFormat")) ?? "objectArray").toLowerCase();
    if (format !== "objectarray" && format !== "table") throw new HttpError(400, "BadRequest", `Unsupported resultFormat '${format}' (objectArray or table).`);
    const skipToken = str(prop(options, "$skipToken"));

    const requestedSubs = prop(body, "subscriptions");
    const visibleSubs = deps.world.scenario.subscriptions.filter((s) => s.tenantId === caller.tenantId && deps.rbac.touches(caller, `/subscriptions/${s.id}`)).map((s) => s.id);
    const subs = Array.isArray(requestedSubs)
      ? visibleSubs.filter((id) => requestedSubs.some((x) => typeof x === "string" && x.toLowerCase() === id.toLowerCase()))
      : visibleSubs;

    const key = createHash("sha256").update(JSON.stringify([caller.objectId, caller.tenantId, query, [...subs].sort()])).digest("base64url").slice(0, 22);
    let offset = skip;
    let result: CachedResult | undefined;
    if (skipToken) {
      const decoded = decodeToken(skipToken);
      if (!decoded || decoded.k !== key) throw new HttpError(400, "BadRequest", "The $skipToken is invalid or does not belong to this query.");
      offset = decoded.o;
      result = cache.get(key);
      if (result && deps.clock.now() - result.at > CACHE_MS) result = undefined;
    }
    if (!result) {
      result = execute(deps, caller, query, subs);
      cache.set(key, result);
      if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
    }
    const pageRows = result.rows.slice(offset, offset + top);
    const more = offset + top < result.rows.length;
    const hasId = result.columns === undefined || result.columns.includes("id");
    const data = format === "table" ? toTable(pageRows, result.columns) : pageRows;
    req.audit.detail = `graph: ${result.rows.length} rows, page at ${offset}`;
    return {
      status: 200,
      body: {
        totalRecords: result.rows.length,
        count: pageRows.length,
        resultTruncated: more && !hasId ? "true" : "false",
        ...(more && hasId ? { $skipToken: Buffer.from(JSON.stringify({ k: key, o: offset + top })).toString("base64url") } : {}),
        facets: [],
        data,
      },
    };
  });
}

function numberOption(options: unknown, name: string): number | undefined {
  const v = prop(options, name);
  return typeof v === "number" && Number.isInteger(v) ? v : undefined;
}

function decodeToken(t: string): { k: string; o: number } | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(t, "base64url").toString("utf8"));
    return isObject(v) && typeof v.k === "string" && typeof v.o === "number" ? { k: v.k, o: v.o } : undefined;
  } catch {
    return undefined;
  }
}

function execute(deps: ArmDeps, caller: ReturnType<typeof callerOf>, query: string, subs: string[]): CachedResult {
  let parsed;
  try {
    parsed = parseKql(query);
  } catch (e) {
    if (!(e instanceof KqlSyntaxError)) throw e;
    throw new HttpError(400, "BadRequest", `Please provide below info when asking for support: timestamp = ${deps.clock.nowIso()}, correlationId = ${randomUUID()}.`, {}, {
      details: [
        { code: "InvalidQuery", message: "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying." },
        { code: "ParserFailure", message: e.message, line: 1, characterPositionInLine: e.pos, token: e.token },
      ],
    });
  }
  const types = requiredTypes(parsed);
  const nowIso = deps.clock.nowIso();
  const rows: Row[] = [];
  for (const sub of subs) {
    for (const r of deps.world.inSubscription(sub, types)) {
      if (deps.rbac.can(caller, `${r.type}/read`, r.id)) rows.push(argRow(r, deps.world, nowIso));
    }
  }
  const out = run(parsed, rows);
  return { rows: out.rows, columns: out.columns, at: deps.clock.now() };
}

function toTable(rows: Row[], columns: string[] | undefined): { columns: { name: string; type: string }[]; rows: unknown[][] } {
  const names = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  const typeOf = (name: string): string => {
    const v = rows.find((r) => r[name] !== null && r[name] !== undefined)?.[name];
    return typeof v === "number" ? (Number.isInteger(v) ? "integer" : "real") : typeof v === "boolean" ? "boolean" : typeof v === "object" ? "object" : "string";
  };
  return { columns: names.map((name) => ({ name, type: typeOf(name) })), rows: rows.map((r) => names.map((n) => r[n] ?? null)) };
}
