/**
 * One Key Vault (§5): served at the root of its own host, https://<vault>.vault.localhost:<port>
 * (one port for every vault, told apart by the Host header, as Azure's front end does), because the
 * SDK parses secret ids strictly as https://host/secrets/{name}/{version}.
 * Challenge first: a request without a bearer gets 401 + `WWW-Authenticate: Bearer
 * authorization="<login>/<vault tenant>", resource="https://vault.localhost"`: the resource is the
 * parent domain of the vault host, so SDKs verifying the challenge (the default) accept it. Tokens must have
 * the vault audience and the vault's tenant; reading a secret needs the data action
 * `Microsoft.KeyVault/vaults/secrets/getSecret/action` at the vault or secret scope (RBAC
 * permission model); listing needs `.../readMetadata/action` and pages (`maxresults`, default and
 * most 25; `nextLink` with an opaque `$skiptoken`). A disabled secret is listed (`enabled: false`)
 * but reading it is 403 Forbidden, innererror SecretDisabled.
 * Error codes/messages: Unauthorized (AKV10000 / AKV10022 / AKV10032 texts), Forbidden with
 * innererror ForbiddenByRbac, SecretNotFound (spelling UNVERIFIED, §5).
 */
import { createHash } from "node:crypto";
import { KEY_VAULT_AUDIENCE, isVaultAudience } from "../auth/audiences";
import { peekClaims } from "../auth/jwt";
import type { SigningKey } from "../auth/signingKey";
import { HttpError } from "../http/errors";
import { queryParam, type SimRequest } from "../http/request";
import type { Reply } from "../http/router";
import type { SecretVersionModel, VaultModel } from "../world/model";
import type { Rbac } from "../world/rbac";
import { bearerToken, checkToken } from "../arm/armAuth";

export interface VaultDeps {
  key: SigningKey;
  rbac: Rbac;
  now: () => number;
  loginOrigin: () => string;
}

const GET = "Microsoft.KeyVault/vaults/secrets/getSecret/action";
const LIST = "Microsoft.KeyVault/vaults/secrets/readMetadata/action";

export function secretVersion(vault: VaultModel, name: string, value: string, created: number): string {
  return createHash("sha256").update(`${vault.id}|${name}|${value}|${created}`).digest("hex").slice(0, 32);
}

/** Adds a secret version (what `az keyvault secret set` does). */
export function setSecret(vault: VaultModel, name: string, value: string, now: number, extra: { contentType?: string; tags?: Record<string, string>; enabled?: boolean } = {}): SecretVersionModel {
  const key = name.toLowerCase();
  let entry = vault.secrets.get(key);
  if (!entry) vault.secrets.set(key, (entry = { name, versions: [] }));
  const v: SecretVersionModel = { version: secretVersion(vault, name, value, now + entry.versions.length), value, contentType: extra.contentType, tags: extra.tags ?? {}, created: now, enabled: extra.enabled ?? true };
  entry.versions.push(v);
  return v;
}

export function handleVault(vault: VaultModel, deps: VaultDeps, req: SimRequest): Reply {
  const challenge = `Bearer authorization="${deps.loginOrigin()}/${vault.tenantId}", resource="${KEY_VAULT_AUDIENCE}"`;
  const unauthorized = (message: string): HttpError => new HttpError(401, "Unauthorized", message, { "WWW-Authenticate": challenge });
  const token = bearerToken(req);
  if (!token) throw unauthorized("AKV10000: Request is missing a Bearer or PoP token.");
  const check = checkToken(deps.key, token, deps.now(), isVaultAudience, KEY_VAULT_AUDIENCE);
  if (!check.ok) {
    if (check.code === "InvalidAuthenticationTokenAudience") throw unauthorized(`AKV10022: Invalid audience. Expected ${KEY_VAULT_AUDIENCE}, found: ${String(peekClaims(token)?.aud ?? "(none)")}.`);
    throw unauthorized(`AKV10032: Invalid token. ${check.message}`);
  }
  const caller = check.caller;
  req.audit.principal = caller.name;
  if (caller.tenantId.toLowerCase() !== vault.tenantId.toLowerCase()) {
    throw unauthorized(`AKV10032: Invalid issuer. Expected one of ${deps.loginOrigin()}/${vault.tenantId}/, found ${deps.loginOrigin()}/${caller.tenantId}/.`);
  }
  if (queryParam(req, "api-version") === undefined) throw new HttpError(400, "BadParameter", "The 'api-version' query parameter is required.");
  if (req.method !== "GET") throw new HttpError(405, "MethodNotAllowed", `The simulator's vault supports GET only (got ${req.method}).`);
  const forbidden = (action: string, resource: string): HttpError =>
    new HttpError(
      403,
      "Forbidden",
      `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: appid=${caller.appId};oid=${caller.objectId};iss=${deps.loginOrigin()}/${caller.tenantId}/\r\nAction: '${action}'\r\nResource: '${resource.toLowerCase()}'\r\nAssignment: (not found)\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: ${vault.name};location=${vault.location}\r\n`,
      {},
      { innererror: { code: "ForbiddenByRbac" } },
    );

  const [first, name, version, ...rest] = req.segments;
  if (first?.toLowerCase() !== "secrets" || rest.length > 0) throw new HttpError(404, "NotFound", `The simulator's vault does not serve ${req.path}.`);
  if (!name) {
    const scope = vault.id;
    if (!deps.rbac.can(caller, LIST, scope, true)) throw forbidden(LIST, scope);
    return { status: 200, body: listPage(vault, req) };
  }
  const scope = `${vault.id}/secrets/${name}`;
  if (!deps.rbac.can(caller, GET, scope, true)) throw forbidden(GET, scope);
  const entry = vault.secrets.get(name.toLowerCase());
  const v = entry && (version ? entry.versions.find((x) => x.version === version.toLowerCase()) : entry.versions[entry.versions.length - 1]);
  if (!entry || !v) {
    throw new HttpError(
      404,
      "SecretNotFound",
      `A secret with (name/id) ${name}${version ? `/${version}` : ""} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
    );
  }
  if (!v.enabled) throw new HttpError(403, "Forbidden", "Operation get is not allowed on a disabled secret.", {}, { innererror: { code: "SecretDisabled" } });
  req.audit.detail = `secret ${entry.name} read`;
  return {
    status: 200,
    body: { value: v.value, ...(v.contentType ? { contentType: v.contentType } : {}), id: `${vault.uri}/secrets/${entry.name}/${v.version}`, attributes: attributes(v), tags: v.tags },
  };
}

/** Most and default page size of the list operations (secrets.json: `maxresults` 1–25, "up to 25" when absent). */
const MAX_RESULTS = 25;

/**
 * One page of `GET /secrets`: secrets in name order from the `$skiptoken` offset, `maxresults` of
 * them, and a `nextLink` on the vault's own origin while more remain (null on the last page).
 */
function listPage(vault: VaultModel, req: SimRequest): { value: Record<string, unknown>[]; nextLink: string | null } {
  const raw = queryParam(req, "maxresults");
  const max = raw === undefined ? MAX_RESULTS : Number(raw);
  if (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS) throw new HttpError(400, "BadParameter", `The value of 'maxresults' must be between 1 and ${MAX_RESULTS}.`);
  const token = queryParam(req, "$skiptoken");
  const offset = token === undefined ? 0 : decodeSkipToken(token);
  if (offset === undefined) throw new HttpError(400, "BadParameter", "The $skiptoken is invalid.");
  const all = [...vault.secrets.values()].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0));
  const value = all.slice(offset, offset + max).map((s) => {
    const latest = s.versions[s.versions.length - 1]!;
    return { id: `${vault.uri}/secrets/${s.name}`, attributes: attributes(latest), ...(latest.contentType ? { contentType: latest.contentType } : {}), tags: latest.tags };
  });
  const next = offset + max;
  if (next >= all.length) return { value, nextLink: null };
  const skip = Buffer.from(JSON.stringify({ o: next })).toString("base64url");
  const apiVersion = encodeURIComponent(queryParam(req, "api-version") ?? "");
  return { value, nextLink: `${vault.uri}/secrets?api-version=${apiVersion}&$skiptoken=${skip}&maxresults=${max}` };
}

function decodeSkipToken(token: string): number | undefined {
  try {
    const o: unknown = (JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown }).o;
    return typeof o === "number" && Number.isInteger(o) && o >= 0 ? o : undefined;
  } catch {
    return undefined;
  }
}

function attributes(v: SecretVersionModel): Record<string, unknown> {
  const t = Math.floor(v.created / 1000);
  return { enabled: v.enabled, created: t, updated: t, recoveryLevel: "Recoverable+Purgeable", recoverableDays: 90 };
}
