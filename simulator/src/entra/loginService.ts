/**
 * The Entra ID origin (§6, §8.2): OpenID configuration, JWKS, device-code and token endpoints,
 * and the device-login page. Grants: client_credentials (scenario apps with secrets),
 * device_code (pending until approved on /devicelogin or through the control API; expires),
 * refresh_token (also for another tenant where the user is a member or guest, which is how
 * `getToken(scope, {tenantId})` reaches a guest tenant). Conditional Access and the `claims`
 * request (acrs / amr / xms_cc) are evaluated on every user token issuance.
 * Guess: a pending device-code poll is held up to one second waiting for approval before
 * answering `authorization_pending` (Entra answers at once); it only makes tests faster.
 */
import type { SigningKey } from "../auth/signingKey";
import { resourceOfScope } from "../auth/audiences";
import { HttpError } from "../http/errors";
import type { SimRequest } from "../http/request";
import { Router, type Reply } from "../http/router";
import type { LoadedScenario } from "../scenario/resolve";
import type { Directory } from "../world/directory";
import { PUBLIC_CLIENTS } from "../world/directory";
import type { TenantModel, UserModel } from "../world/model";
import { AAD_TEXT, aadError } from "./aadErrors";
import { mergeClaims, parseClaimsRequest, type ClaimsRequest } from "./claimsRequest";
import { evaluateConditionalAccess, type ResourceKind, type SignInContext } from "./conditionalAccess";
import { renderDeviceLoginPage } from "./deviceLoginPage";
import type { DeviceCodeApproval, SignInSession, SignInStore } from "./signInStore";
import { issueAppToken, issueUserTokens, type IssueContext } from "./tokenIssuer";
import type { SshCertificateAuthority } from "./sshCertificateAuthority";
import { isLinuxVmSignInResource, issueSshCertificate, sshCertFields, type SshCertRequestFields } from "./sshCertificateIssuer";

const GENERIC_TENANTS = new Set(["organizations", "common"]);

export interface LoginServiceDeps {
  directory: Directory;
  store: SignInStore;
  key: SigningKey;
  now: () => number;
  settings: LoadedScenario["simulation"];
  armOrigin: () => string;
  /**
   * Origin of the device-login page named in `verification_uri`. Azure names a different host than
   * the token endpoint (https://microsoft.com/devicelogin); the simulator's is plain HTTP on
   * loopback so that a browser reaches it with no certificate to accept, also through code-server's
   * `/proxy/<port>/` (which speaks HTTP only). Empty: the login origin itself.
   */
  deviceLoginOrigin?: () => string;
  /** Signs SSH certificates (`token_type=ssh-cert`); without it such requests are refused. */
  sshCa?: SshCertificateAuthority;
}

export class LoginService {
  readonly router = new Router();

  constructor(private readonly d: LoginServiceDeps) {
    const r = this.router;
    r.add("GET", "/{tenant}/v2.0/.well-known/openid-configuration", (req, p) => this.openIdConfiguration(req, p.tenant!));
    r.add("GET", "/{tenant}/.well-known/openid-configuration", (req, p) => this.openIdConfiguration(req, p.tenant!));
    r.add("GET", "/{tenant}/discovery/v2.0/keys", () => this.jwks());
    r.add("GET", "/{tenant}/discovery/keys", () => this.jwks());
    r.add("POST", "/{tenant}/oauth2/v2.0/devicecode", (req, p) => this.deviceCode(req, p.tenant!));
    r.add("POST", "/{tenant}/oauth2/v2.0/token", (req, p) => this.token(req, p.tenant!));
    r.add("GET", "/{tenant}/oauth2/v2.0/authorize", () => ({
      status: 400,
      contentType: "text/html; charset=utf-8",
      body: "<p>The Azure simulator supports the device-code flow only (interactive browser sign-in is not simulated).</p>",
    }));
    r.add("GET", "/devicelogin", (req) => this.deviceLoginPage(req));
    r.add("POST", "/devicelogin", (req) => this.deviceLoginSubmit(req));
  }

  async handle(req: SimRequest): Promise<Reply> {
    const m = this.router.match(req.method, req.segments);
    if (m.kind === "found") return m.handler(req, m.params);
    throw new HttpError(404, "not_found", `No such endpoint on the simulated login origin: ${req.method} ${req.path}`);
  }

  private tenantOr400(segment: string): TenantModel | undefined {
    if (GENERIC_TENANTS.has(segment.toLowerCase())) return undefined;
    const t = this.d.directory.tenant(segment);
    if (!t) throw aadError(400, "invalid_tenant", 90002, AAD_TEXT.tenantNotFound(segment), this.d.now());
    return t;
  }

  private openIdConfiguration(req: SimRequest, segment: string): Reply {
    const tenant = this.tenantOr400(segment);
    const o = req.origin;
    const t = tenant?.id ?? segment;
    return {
      status: 200,
      body: {
        token_endpoint: `${o}/${t}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        jwks_uri: `${o}/${t}/discovery/v2.0/keys`,
        response_modes_supported: ["query", "fragment", "form_post"],
        subject_types_supported: ["pairwise"],
        id_token_signing_alg_values_supported: ["RS256"],
        response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
        scopes_supported: ["openid", "profile", "email", "offline_access"],
        issuer: `${o}/${tenant ? tenant.id : "{tenantid}"}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${o}/oidc/userinfo`,
        authorization_endpoint: `${o}/${t}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${o}/${t}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${o}/${t}/oauth2/v2.0/logout`,
        claims_supported: ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        kerberos_endpoint: `${o}/${t}/kerberos`,
        tenant_region_scope: "EU",
        cloud_instance_name: new URL(o).host,
        cloud_graph_host_name: "graph.windows.net",
        msgraph_host: "graph.microsoft.com",
        rbac_url: "https://pas.windows.net",
      },
    };
  }

  private jwks(): Reply {
    return { status: 200, body: { keys: [this.d.key.jwk] } };
  }

  private form(req: SimRequest): URLSearchParams {
    return new URLSearchParams(req.body.toString("utf8"));
  }

  private deviceCode(req: SimRequest, segment: string): Reply {
    const tenant = this.tenantOr400(segment);
    const form = this.form(req);
    const clientId = form.get("client_id") ?? "";
    this.requirePublicClient(clientId, tenant?.name ?? segment);
    const scope = form.get("scope") ?? "";
    const claims = parseClaimsRequest(form.get("claims"));
    const lifetime = this.d.settings.deviceCodeLifetimeSeconds;
    const entry = this.d.store.newDeviceCode({ clientId, tenantSegment: segment, scope, claims, expiresAt: this.d.now() + lifetime * 1000 });
    const verificationUri = `${this.d.deviceLoginOrigin?.() || req.origin}/devicelogin`;
    return {
      status: 200,
      body: {
        user_code: entry.userCode,
        device_code: entry.deviceCode,
        verification_uri: verificationUri,
        expires_in: lifetime,
        interval: this.d.settings.deviceCodeIntervalSeconds,
        message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${entry.userCode} to authenticate.`,
      },
    };
  }

  private requirePublicClient(clientId: string, tenantName: string): void {
    if (!(clientId in PUBLIC_CLIENTS)) throw aadError(400, "unauthorized_client", 700016, AAD_TEXT.appNotFound(clientId, tenantName), this.d.now());
  }

  private async token(req: SimRequest, segment: string): Promise<Reply> {
    const tenant = this.tenantOr400(segment);
    const form = this.form(req);
    const grant = form.get("grant_type") ?? "";
    switch (grant) {
      case "client_credentials":
        return this.clientCredentials(req, tenant, segment, form);
      case "device_code":
      case "urn:ietf:params:oauth:grant-type:device_code":
        return this.deviceCodeGrant(req, tenant, form);
      case "refresh_token":
        return this.refreshGrant(req, tenant, form);
      default:
        throw aadError(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grant}'.`, this.d.now());
    }
  }

  private issueContext(req: SimRequest): IssueContext {
    return { key: this.d.key, loginOrigin: req.origin, nowMs: this.d.now(), lifetimeSeconds: this.d.settings.tokenLifetimeSeconds };
  }

  private resource(scope: string, tenantName: string): { resource: string; kind: ResourceKind } {
    const r = resourceOfScope(scope, this.d.armOrigin());
    if (r.kind === undefined && isLinuxVmSignInResource(r.resource)) return { resource: r.resource, kind: "linuxVmSignIn" };
    if (r.kind === undefined) throw aadError(400, "invalid_resource", 500011, AAD_TEXT.resourceNotFound(r.resource || "(none)", tenantName), this.d.now());
    return { resource: r.resource, kind: r.kind };
  }

  private clientCredentials(req: SimRequest, tenant: TenantModel | undefined, segment: string, form: URLSearchParams): Reply {
    const now = this.d.now();
    if (!tenant) throw aadError(400, "invalid_request", 90009, `Application is requesting a token for itself. This scenario is supported only if resource is specified using the GUID based App Identifier ('${segment}' is not a tenant).`, now);
    const appId = form.get("client_id") ?? "";
    const sp = this.d.directory.servicePrincipal(tenant.id, appId);
    if (!sp) throw aadError(400, "unauthorized_client", 700016, AAD_TEXT.appNotFound(appId, tenant.name), now);
    if (form.get("client_secret") !== sp.secret) throw aadError(401, "invalid_client", 7000215, AAD_TEXT.badSecret(appId), now);
    const { resource, kind } = this.resource(form.get("scope") ?? "", tenant.name);
    if (sshCertFields(form)) throw aadError(400, "invalid_request", 90100, "SSH certificates for service principals are not simulated.", now);
    const claims = parseClaimsRequest(form.get("claims"));
    const ctx: SignInContext = { subject: { kind: "servicePrincipal", displayName: sp.displayName }, mfa: false, deviceCompliant: false, location: sp.location };
    const decision = evaluateConditionalAccess(tenant, kind, ctx, claims);
    if (!decision.ok) throw this.caError(decision, resource, now);
    req.audit.principal = sp.displayName;
    req.audit.detail = `client_credentials for ${resource}`;
    return { status: 200, body: issueAppToken(this.issueContext(req), { sp, resource, cae: claims.cae }) };
  }

  private caError(d: { failure: "mfa" | "compliantDevice" | "blocked"; claims?: string }, resource: string, now: number): HttpError {
    switch (d.failure) {
      case "mfa":
        return aadError(400, "interaction_required", 50076, AAD_TEXT.mfa(resource), now, { suberror: "basic_action", claims: d.claims });
      case "compliantDevice":
        return aadError(400, "interaction_required", 53000, AAD_TEXT.deviceNotCompliant(), now, { suberror: "message_only", claims: d.claims });
      case "blocked":
        return aadError(400, "interaction_required", 53003, AAD_TEXT.blocked(), now, { suberror: "message_only" });
    }
  }

  private async deviceCodeGrant(req: SimRequest, tenant: TenantModel | undefined, form: URLSearchParams): Promise<Reply> {
    const now = () => this.d.now();
    const entry = this.d.store.deviceCode(form.get("device_code") ?? "");
    if (!entry) throw aadError(400, "invalid_grant", 70000, "The provided value for the input parameter 'device_code' is not valid.", now());
    if (entry.state === "pending" && entry.expiresAt > now()) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(1000, this.d.settings.deviceCodeIntervalSeconds * 1000));
        entry.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (entry.expiresAt <= now() && entry.state === "pending") throw aadError(400, "expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.", now());
    if (entry.state === "pending") throw aadError(400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.", now());
    if (entry.state === "denied") throw aadError(400, "authorization_declined", 70019, "The user declined the sign-in request.", now());
    if (entry.state === "redeemed") throw aadError(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.", now());
    const approval = entry.approval!;
    entry.state = "redeemed";
    const user = this.d.directory.user(approval.upn)!;
    const session = this.d.store.newSession({ upn: user.upn, clientId: entry.clientId, mfa: approval.mfa, deviceCompliant: approval.deviceCompliant, location: approval.location, authTime: now() });
    const claims = mergeClaims(entry.claims, parseClaimsRequest(form.get("claims")));
    return this.issueForUser(req, user, session, tenant ?? this.d.directory.tenantById(user.homeTenantId)!, form.get("scope") ?? entry.scope, claims, sshCertFields(form));
  }

  private refreshGrant(req: SimRequest, tenant: TenantModel | undefined, form: URLSearchParams): Promise<Reply> {
    const now = this.d.now();
    const found = this.d.store.redeemRefreshToken(form.get("refresh_token") ?? "");
    if (!found) throw aadError(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.", now);
    if (found.clientId !== form.get("client_id")) throw aadError(400, "invalid_grant", 700005, "Provided Authorization Code is intended to use against other tenant or client.", now);
    const validFrom = this.d.store.tokensValidFrom(found.session.upn);
    if (validFrom !== undefined && found.session.authTime < validFrom) throw aadError(400, "invalid_grant", 50173, AAD_TEXT.grantRevoked(found.session.authTime, validFrom), now, { suberror: "bad_token" });
    const user = this.d.directory.user(found.session.upn)!;
    const claims = parseClaimsRequest(form.get("claims"));
    return this.issueForUser(req, user, found.session, tenant ?? this.d.directory.tenantById(user.homeTenantId)!, form.get("scope") ?? "", claims, sshCertFields(form));
  }

  private async issueForUser(req: SimRequest, user: UserModel, session: SignInSession, tenant: TenantModel, scope: string, claims: ClaimsRequest, ssh?: SshCertRequestFields): Promise<Reply> {
    const now = this.d.now();
    if (!user.objectIds.has(tenant.id)) throw aadError(400, "invalid_grant", 50020, AAD_TEXT.userNotInTenant(user.upn, tenant.name), now);
    const { resource, kind } = this.resource(scope, tenant.name);
    const ctx: SignInContext = { subject: { kind: "user", upn: user.upn }, mfa: session.mfa, deviceCompliant: session.deviceCompliant, location: session.location };
    const decision = evaluateConditionalAccess(tenant, kind, ctx, claims);
    req.audit.principal = user.upn;
    if (!decision.ok) {
      req.audit.detail = `conditional access: ${decision.policy}`;
      throw this.caError(decision, resource, now);
    }
    req.audit.detail = `token for ${resource} in ${tenant.name}${decision.acrs.length ? ` acrs=${decision.acrs.join(",")}` : ""}`;
    const responseScope = scope.split(/\s+/).filter((s) => s.length > 0 && !["openid", "profile", "offline_access"].includes(s)).join(" ");
    const certificate = ssh ? await this.sshCertificate(ssh, kind, user, tenant, responseScope, now) : undefined;
    const refreshToken = this.d.store.issueRefreshToken(session);
    const tokens = issueUserTokens(this.issueContext(req), { user, tenantId: tenant.id, session, resource, scope: responseScope, acrs: decision.acrs, cae: claims.cae, refreshToken });
    if (certificate) req.audit.detail = `ssh certificate for ${user.upn} in ${tenant.name}`;
    // An SSH certificate replaces the access token; the refresh token, id token and client_info come as usual.
    return { status: 200, body: certificate ? { ...tokens, ...certificate } : tokens };
  }

  private async sshCertificate(ssh: SshCertRequestFields, kind: ResourceKind, user: UserModel, tenant: TenantModel, scope: string, now: number) {
    if (kind !== "linuxVmSignIn") throw aadError(400, "invalid_request", 90100, "SSH certificates are issued only for the Azure Linux VM Sign-In resource.", now);
    if (!this.d.sshCa) throw aadError(400, "invalid_request", 90100, "This simulator does not issue SSH certificates.", now);
    const subject = { upn: user.upn, displayName: user.displayName, objectId: user.objectIds.get(tenant.id)!, tenantId: tenant.id };
    return issueSshCertificate(this.d.sshCa, { fields: ssh, subject, scope, simNowMs: now });
  }

  /** What the device-login page and `POST /_sim/devicecode/approve` do. Throws HttpError(400/404) with a reason. */
  approveDeviceCode(input: { userCode: string; upn: string; mfa?: boolean; deviceCompliant?: boolean; location?: string; deny?: boolean }): { upn: string; approval?: DeviceCodeApproval } {
    const entry = this.d.store.byUser(input.userCode);
    if (!entry) throw new HttpError(404, "UnknownUserCode", `No device code "${input.userCode}" is waiting for sign-in.`);
    if (entry.state !== "pending") throw new HttpError(400, "CodeNotPending", `The code "${input.userCode}" was already used (${entry.state}).`);
    if (entry.expiresAt <= this.d.now()) throw new HttpError(400, "CodeExpired", `The code "${input.userCode}" has expired.`);
    if (input.deny) {
      this.d.store.settle(entry, "denied");
      return { upn: input.upn };
    }
    const user = this.d.directory.user(input.upn);
    if (!user) throw new HttpError(400, "UnknownUser", `No user "${input.upn}" in this scenario (known: ${this.d.directory.users.map((u) => u.upn).join(", ")}).`);
    if (input.mfa && !user.mfaRegistered) throw new HttpError(400, "MfaNotRegistered", `${user.upn} has no MFA method registered.`);
    const approval: DeviceCodeApproval = {
      upn: user.upn,
      mfa: input.mfa ?? false,
      deviceCompliant: input.deviceCompliant ?? user.deviceCompliant,
      location: (input.location ?? user.location).toLowerCase(),
    };
    this.d.store.settle(entry, "approved", approval);
    return { upn: user.upn, approval };
  }

  private deviceLoginPage(req: SimRequest): Reply {
    return {
      status: 200,
      contentType: "text/html; charset=utf-8",
      body: renderDeviceLoginPage({ users: this.d.directory.users, tenants: this.d.directory.tenants, prefillCode: req.query.get("code") ?? "" }),
    };
  }

  private deviceLoginSubmit(req: SimRequest): Reply {
    const form = this.form(req);
    let message: { ok: boolean; text: string };
    try {
      const r = this.approveDeviceCode({
        userCode: form.get("code") ?? "",
        upn: form.get("upn") ?? "",
        mfa: form.get("mfa") === "on",
        deviceCompliant: form.get("deviceCompliant") === "on",
        location: form.get("location") ?? undefined,
        deny: form.get("action") === "deny",
      });
      req.audit.principal = r.upn;
      message = { ok: true, text: r.approval ? `Signed in as ${r.upn}. You can close this window and return to the application.` : `Sign-in declined for ${r.upn}.` };
    } catch (e) {
      message = { ok: false, text: e instanceof Error ? e.message : String(e) };
    }
    return {
      status: message.ok ? 200 : 400,
      contentType: "text/html; charset=utf-8",
      body: renderDeviceLoginPage({ users: this.d.directory.users, tenants: this.d.directory.tenants, prefillCode: message.ok ? "" : (form.get("code") ?? ""), message }),
    };
  }
}
