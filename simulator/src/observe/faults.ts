import type { AuditEntry, FaultAction } from "../contracts";
import { badRequest } from "../http/errors";
import { isObject, num, str } from "../util/caseInsensitive";

export type FaultService = AuditEntry["service"];

export interface FaultRule extends FaultAction {
  id: string;
  match: { service?: string; method?: string; pathRegex?: string };
  /** Remaining uses; undefined = until deleted. */
  count?: number;
}

/**
 * Fault injection (`POST /_sim/faults`). A rule's `service` "arm" also matches the ARM
 * sub-services (arm.pim, arm.jit, arm.graph), so one rule can slow down every ARM call.
 * The first matching rule wins; a counted rule disappears after its last use.
 */
export class FaultRules {
  private rules: (FaultRule & { regex?: RegExp })[] = [];
  private nextId = 1;

  add(body: unknown): FaultRule {
    if (!isObject(body)) throw badRequest("Body must be a JSON object.");
    const match = isObject(body.match) ? body.match : {};
    const pathRegex = str(match.pathRegex);
    let regex: RegExp | undefined;
    if (pathRegex !== undefined) {
      try {
        regex = new RegExp(pathRegex, "i");
      } catch (e) {
        throw badRequest(`match.pathRegex is not a valid regular expression: ${(e as Error).message}`);
      }
    }
    const count = num(body.count);
    if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw badRequest("count must be a positive integer.");
    const status = num(body.status);
    if (status !== undefined && (!Number.isInteger(status) || status < 100 || status > 599)) throw badRequest("status must be an HTTP status code.");
    const nextLinkOrigin = str(body.nextLinkOrigin);
    if (nextLinkOrigin !== undefined) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(nextLinkOrigin);
      } catch {
        parsed = undefined;
      }
      if (!parsed || parsed.origin !== nextLinkOrigin.replace(/\/$/, "")) throw badRequest("nextLinkOrigin must be an origin such as https://host:port.");
    }
    const rule: FaultRule = {
      id: `f${this.nextId++}`,
      match: { service: str(match.service), method: str(match.method)?.toUpperCase(), pathRegex },
      latencyMs: num(body.latencyMs),
      status,
      retryAfterSeconds: num(body.retryAfterSeconds),
      dropWebSocketAfterBytes: num(body.dropWebSocketAfterBytes),
      nextLinkOrigin,
      count,
    };
    this.rules.push({ ...rule, regex });
    return rule;
  }

  remove(id?: string): boolean {
    const before = this.rules.length;
    this.rules = id === undefined ? [] : this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  list(): FaultRule[] {
    return this.rules.map(({ regex: _regex, ...r }) => r);
  }

  /** The action for this request, consuming one use of a counted rule. */
  take(service: FaultService, method: string, path: string): FaultAction | undefined {
    const i = this.rules.findIndex((r) => {
      const s = r.match.service;
      if (s !== undefined && s !== service && !(service.startsWith(`${s}.`))) return false;
      if (r.match.method !== undefined && r.match.method !== method.toUpperCase()) return false;
      return r.regex === undefined || r.regex.test(path);
    });
    if (i < 0) return undefined;
    const rule = this.rules[i]!;
    if (rule.count !== undefined) {
      rule.count -= 1;
      if (rule.count <= 0) this.rules.splice(i, 1);
    }
    const { latencyMs, status, retryAfterSeconds, dropWebSocketAfterBytes, nextLinkOrigin } = rule;
    return { latencyMs, status, retryAfterSeconds, dropWebSocketAfterBytes, nextLinkOrigin };
  }
}
