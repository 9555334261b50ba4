import { randomBytes } from "node:crypto";
import { signJwt } from "../auth/jwt";
import type { SigningKey } from "../auth/signingKey";
import { stableGuid } from "../util/ids";
import type { ServicePrincipalModel, UserModel } from "../world/model";
import type { SignInSession } from "./signInStore";

/**
 * Mints the JWTs Entra would: a v1 access token for the resource (ARM, Key Vault: `aud` = the
 * resource as requested, `scp` for users, `appid`, `oid`/`tid` of the tenant it was issued for,
 * `amr`, `acrs` when a requested context was satisfied, `xms_cc` when the client declared CAE),
 * a v2 id_token and `client_info` so MSAL caches the account (§6.1, §6.3).
 * Deviation: `iss` is this simulator's login origin (`<login>/<tid>/`), not sts.windows.net, so
 * that nothing in the simulated world points at a Microsoft host.
 */
export interface IssueContext {
  key: SigningKey;
  loginOrigin: string;
  nowMs: number;
  lifetimeSeconds: number;
}

export interface TokenResponse {
  token_type: "Bearer";
  scope?: string;
  expires_in: number;
  ext_expires_in: number;
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  client_info?: string;
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

export function issueUserTokens(
  ctx: IssueContext,
  args: { user: UserModel; tenantId: string; session: SignInSession; resource: string; scope: string; acrs: string[]; cae: boolean; refreshToken: string },
): TokenResponse {
  const oid = args.user.objectIds.get(args.tenantId)!;
  const homeOid = args.user.objectIds.get(args.user.homeTenantId)!;
  const iat = seconds(ctx.nowMs);
  const exp = iat + ctx.lifetimeSeconds;
  const [given, family] = args.user.displayName.split(" ");
  const access = signJwt(ctx.key, {
    aud: args.resource,
    iss: `${ctx.loginOrigin}/${args.tenantId}/`,
    iat,
    nbf: iat,
    exp,
    acr: "1",
    ...(args.acrs.length > 0 ? { acrs: args.acrs } : {}),
    amr: args.session.mfa ? ["pwd", "mfa"] : ["pwd"],
    appid: args.session.clientId,
    appidacr: "0",
    auth_time: seconds(args.session.authTime),
    family_name: family ?? "",
    given_name: given ?? "",
    idtyp: "user",
    ...(args.tenantId !== args.user.homeTenantId ? { idp: `${ctx.loginOrigin}/${args.user.homeTenantId}/` } : {}),
    ipaddr: "127.0.0.1",
    name: args.user.displayName,
    oid,
    scp: "user_impersonation",
    sub: stableGuid("sub", oid, args.session.clientId),
    tid: args.tenantId,
    unique_name: args.user.upn,
    upn: args.user.upn,
    uti: randomBytes(16).toString("base64url"),
    ver: "1.0",
    ...(args.cae ? { xms_cc: ["cp1"] } : {}),
  });
  const idToken = signJwt(ctx.key, {
    aud: args.session.clientId,
    iss: `${ctx.loginOrigin}/${args.tenantId}/v2.0`,
    iat,
    nbf: iat,
    exp,
    name: args.user.displayName,
    oid,
    preferred_username: args.user.upn,
    sub: stableGuid("sub", oid, args.session.clientId),
    tid: args.tenantId,
    ver: "2.0",
  });
  return {
    token_type: "Bearer",
    scope: args.scope,
    expires_in: ctx.lifetimeSeconds,
    ext_expires_in: ctx.lifetimeSeconds,
    access_token: access,
    refresh_token: args.refreshToken,
    id_token: idToken,
    client_info: Buffer.from(JSON.stringify({ uid: homeOid, utid: args.user.homeTenantId })).toString("base64url"),
  };
}

export function issueAppToken(ctx: IssueContext, args: { sp: ServicePrincipalModel; resource: string; cae: boolean }): TokenResponse {
  const iat = seconds(ctx.nowMs);
  const access = signJwt(ctx.key, {
    aud: args.resource,
    iss: `${ctx.loginOrigin}/${args.sp.tenantId}/`,
    iat,
    nbf: iat,
    exp: iat + ctx.lifetimeSeconds,
    appid: args.sp.appId,
    appidacr: "1",
    idp: `${ctx.loginOrigin}/${args.sp.tenantId}/`,
    idtyp: "app",
    oid: args.sp.objectId,
    sub: args.sp.objectId,
    tid: args.sp.tenantId,
    uti: randomBytes(16).toString("base64url"),
    ver: "1.0",
    ...(args.cae ? { xms_cc: ["cp1"] } : {}),
  });
  return { token_type: "Bearer", expires_in: ctx.lifetimeSeconds, ext_expires_in: ctx.lifetimeSeconds, access_token: access };
}
