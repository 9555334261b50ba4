/** Entra ID conformance through @azure/identity: discovery, device code, client credentials, refresh across tenants, claims step-up, Conditional Access. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientSecretCredential, DeviceCodeCredential } from "@azure/identity";
import { PublicClientApplication, type AccountInfo } from "@azure/msal-node";
import { peekClaims } from "../../simulator/src/auth/jwt";
import { startTestSimulator, type TestSimulator } from "../support/simulator";

const ALICE = "alice@contoso.example";

function claimsOf(token: string): Record<string, unknown> {
  const c = peekClaims(token);
  assert.ok(c, "token is a JWT");
  return c;
}

describe("Entra ID (login origin)", () => {
  let ts: TestSimulator;
  before(async () => {
    ts = await startTestSimulator("demo", {
      startVms: false,
      edit: (s) => {
        const contoso = s.tenants.find((t) => t.name === "Contoso")!;
        contoso.conditionalAccess = [
          ...(contoso.conditionalAccess ?? []),
          { name: "Key Vault from compliant devices", resources: ["keyvault"], require: "compliantDevice" },
          { name: "Apps only from trusted places", includeServicePrincipals: true, users: ["bob@contoso.example"], require: "trustedLocation" },
        ];
        contoso.servicePrincipals = [...(contoso.servicePrincipals ?? []), { displayName: "roaming-app", secret: "s3cret", location: "cafe" }];
        s.users!.push({ upn: "carol@contoso.example", tenant: "Contoso", mfaRegistered: false });
      },
    });
  });
  after(() => ts.stop());

  it("serves OpenID configuration on its own origin and the JWKS that verifies its tokens", async () => {
    const tenant = ts.sim.scenario.tenants[0]!;
    const cfg = (await (await fetch(`${ts.settings.authorityHost}/${tenant.id}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
    assert.equal(new URL(cfg.issuer!).origin, ts.settings.authorityHost);
    assert.ok(cfg.device_authorization_endpoint!.endsWith("/oauth2/v2.0/devicecode"));
    const jwks = (await (await fetch(cfg.jwks_uri!)).json()) as { keys: { kty: string; kid: string }[] };
    assert.equal(jwks.keys[0]!.kty, "RSA");
    const unknown = await fetch(`${ts.settings.authorityHost}/nope.example/v2.0/.well-known/openid-configuration`);
    assert.equal(unknown.status, 400);
    assert.match(((await unknown.json()) as { error_description: string }).error_description, /^AADSTS90002: /);
  });

  it("signs a user in with the device code flow and issues ARM tokens MSAL caches", async () => {
    const cred = await ts.signInWithDeviceCode(ALICE);
    const t1 = await cred.getToken(ts.settings.armScope);
    assert.ok(t1);
    const c = claimsOf(t1.token);
    const user = ts.sim.scenario.users.find((u) => u.upn === ALICE)!;
    assert.equal(c.aud, ts.settings.resourceManagerAudience);
    assert.equal(c.tid, user.homeTenantId);
    assert.equal(c.oid, user.objectIds.get(user.homeTenantId));
    assert.equal(c.upn, ALICE);
    assert.equal(c.scp, "user_impersonation");
    assert.deepEqual(c.amr, ["pwd"]);
    assert.equal(c.xms_cc, undefined, "no CAE capability asked");
    const cae = claimsOf((await cred.getToken(ts.settings.armScope, { enableCae: true }))!.token);
    assert.deepEqual(cae.xms_cc, ["cp1"], "SDK bearer policies ask with enableCae: the token says the client handles CAE challenges");
    const t2 = await cred.getToken(ts.settings.armScope);
    assert.equal(t2?.token, t1.token, "second call served from MSAL's cache (account cached from id_token/client_info)");
  });

  // @azure/identity 4.13 ignores `tenantId` for silent requests once an account is cached (its
  // silent request carries no authority), so cross-tenant refresh is exercised through MSAL Node,
  // the library inside identity, the way a product that needs guest tenants would drive it.
  async function msalSignIn(upn: string): Promise<{ app: PublicClientApplication; account: AccountInfo }> {
    const app = new PublicClientApplication({ auth: { clientId: ts.settings.clientId, authority: `${ts.settings.authorityHost}/organizations`, knownAuthorities: [new URL(ts.settings.authorityHost).host] } });
    const result = await app.acquireTokenByDeviceCode({
      scopes: [ts.settings.armScope],
      deviceCodeCallback: (r) => void ts.control.approveDeviceCode({ userCode: r.userCode, upn }),
    });
    assert.ok(result?.account);
    return { app, account: result.account };
  }

  it("reaches the guest tenant with the refresh token (silent request for the other tenant's authority)", async () => {
    const { app, account } = await msalSignIn(ALICE);
    const fabrikam = ts.sim.scenario.tenants.find((t) => t.name === "Fabrikam")!;
    const before = (await ts.control.audit()).length;
    const r = await app.acquireTokenSilent({ account: { ...account, tenantId: fabrikam.id }, scopes: [ts.settings.armScope], authority: `${ts.settings.authorityHost}/${fabrikam.id}` });
    const c = claimsOf(r.accessToken);
    assert.equal(c.tid, fabrikam.id);
    const user = ts.sim.scenario.users.find((u) => u.upn === ALICE)!;
    assert.equal(c.oid, user.objectIds.get(fabrikam.id));
    assert.notEqual(c.oid, user.objectIds.get(user.homeTenantId), "a guest has its own object id per tenant");
    const refreshes = (await ts.control.audit()).slice(before).filter((a) => a.service === "login" && a.path.includes(`/${fabrikam.id}/oauth2/v2.0/token`));
    assert.equal(refreshes.length, 1, "one refresh_token grant at the guest tenant's token endpoint");
  });

  it("refuses a tenant the user does not belong to (AADSTS50020)", async () => {
    const { app, account } = await msalSignIn("bob@contoso.example");
    const fabrikam = ts.sim.scenario.tenants.find((t) => t.name === "Fabrikam")!;
    await assert.rejects(app.acquireTokenSilent({ account: { ...account, tenantId: fabrikam.id }, scopes: [ts.settings.armScope], authority: `${ts.settings.authorityHost}/${fabrikam.id}` }), /AADSTS50020/);
  });

  it("a credential created for the guest tenant signs in there directly", async () => {
    const fabrikam = ts.sim.scenario.tenants.find((t) => t.name === "Fabrikam")!;
    const cred = await ts.signInWithDeviceCode(ALICE, { tenantId: fabrikam.id });
    assert.equal(claimsOf((await cred.getToken(ts.settings.armScope))!.token).tid, fabrikam.id);
  });

  it("issues app tokens for client_credentials and refuses a wrong secret (AADSTS7000215)", async () => {
    const contoso = ts.sim.scenario.tenants[0]!;
    const sp = ts.sim.scenario.servicePrincipals.find((x) => x.displayName === "ci-automation")!;
    const good = new ClientSecretCredential(contoso.id, sp.appId, sp.secret, { authorityHost: ts.settings.authorityHost, disableInstanceDiscovery: true });
    const token = await good.getToken(ts.settings.armScope);
    const c = claimsOf(token.token);
    assert.equal(c.idtyp, "app");
    assert.equal(c.oid, sp.objectId);
    assert.equal(c.scp, undefined);
    const bad = new ClientSecretCredential(contoso.id, sp.appId, "wrong", { authorityHost: ts.settings.authorityHost, disableInstanceDiscovery: true });
    await assert.rejects(bad.getToken(ts.settings.armScope), /AADSTS7000215/);
  });

  it("Conditional Access: untrusted location blocks an opted-in app with AADSTS53003", async () => {
    const contoso = ts.sim.scenario.tenants[0]!;
    const sp = ts.sim.scenario.servicePrincipals.find((x) => x.displayName === "roaming-app")!;
    const cred = new ClientSecretCredential(contoso.id, sp.appId, sp.secret, { authorityHost: ts.settings.authorityHost, disableInstanceDiscovery: true });
    await assert.rejects(cred.getToken(ts.settings.armScope), (e: Error) => {
      assert.match(e.message, /AADSTS53003: Access has been blocked by Conditional Access policies/);
      return true;
    });
  });

  it("Conditional Access: a user policy refuses an untrusted location (53003) and allows a trusted one", async () => {
    await assert.rejects(ts.signInWithDeviceCode("bob@contoso.example", { location: "cafe" }), /interaction_required/);
    const audit = await ts.control.audit();
    assert.ok(audit.some((a) => a.service === "login" && a.detail?.includes("Apps only from trusted places")));
    const ok = await ts.signInWithDeviceCode("bob@contoso.example", { location: "home" });
    assert.ok(await ok.getToken(ts.settings.armScope));
  });

  it("Conditional Access: a compliant device is required for Key Vault (53000), not for ARM", async () => {
    const cred = await ts.signInWithDeviceCode(ALICE, { deviceCompliant: false });
    assert.ok(await cred.getToken(ts.settings.armScope), "ARM is not covered by the policy");
    // The silent refresh for Key Vault is refused; identity then falls back to a new device-code sign-in, refused too.
    await assert.rejects(cred.getToken(`${ts.settings.keyVaultAudience}/.default`), /interaction_required|53000/);
    const compliant = await ts.signInWithDeviceCode(ALICE, { deviceCompliant: true });
    assert.ok(await compliant.getToken(`${ts.settings.keyVaultAudience}/.default`));
  });

  it("claims step-up: acrs c1 needs MFA (AADSTS50076 on refresh); an MFA sign-in satisfies it and the token carries acrs", async () => {
    const claims = JSON.stringify({ access_token: { acrs: { essential: true, value: "c1" } } });
    const noMfa = ts.deviceCodeCredential(ALICE, { mfa: false });
    await noMfa.authenticate(ts.settings.armScope);
    await assert.rejects(noMfa.getToken(ts.settings.armScope, { claims }), /interaction_required|50076/);
    const withMfa = ts.deviceCodeCredential(ALICE, { mfa: true });
    await withMfa.authenticate(ts.settings.armScope);
    const token = await withMfa.getToken(ts.settings.armScope, { claims });
    const c = claimsOf(token!.token);
    assert.deepEqual(c.acrs, ["c1"]);
    assert.ok((c.amr as string[]).includes("mfa"));
  });

  it("an amr claims request is ignored: a refresh gets a token without MFA, only an interactive MFA sign-in has it", async () => {
    const amr = JSON.stringify({ access_token: { amr: { essential: true, values: ["mfa"] } } });
    const noMfa = ts.deviceCodeCredential(ALICE, { mfa: false });
    await noMfa.authenticate(ts.settings.armScope);
    const refreshed = await noMfa.getToken(ts.settings.armScope, { claims: amr });
    assert.deepEqual(claimsOf(refreshed!.token).amr, ["pwd"], "no interaction_required, and no MFA either");
    const interactive = await ts.signInWithDeviceCode(ALICE, { mfa: true });
    assert.ok((claimsOf((await interactive.getToken(ts.settings.armScope))!.token).amr as string[]).includes("mfa"));
  });

  it("refuses MFA for a user without a registered method, and declined codes", async () => {
    await assert.rejects(ts.signInWithDeviceCode("carol@contoso.example", { mfa: true }));
    await assert.rejects(ts.signInWithDeviceCode(ALICE, { deny: true }), /authorization_declined/);
  });

  it("device codes expire on the simulated clock", async () => {
    const res = await fetch(`${ts.settings.authorityHost}/organizations/oauth2/v2.0/devicecode`, {
      method: "POST",
      body: new URLSearchParams({ client_id: ts.settings.clientId, scope: `${ts.settings.armScope} offline_access` }),
    });
    const dc = (await res.json()) as { user_code: string; device_code: string; expires_in: number };
    await ts.control.advanceClock(dc.expires_in + 1);
    await assert.rejects(ts.control.approveDeviceCode({ userCode: dc.user_code, upn: ALICE }), /CodeExpired/);
    const poll = await fetch(`${ts.settings.authorityHost}/organizations/oauth2/v2.0/token`, {
      method: "POST",
      body: new URLSearchParams({ client_id: ts.settings.clientId, grant_type: "device_code", device_code: dc.device_code }),
    });
    const body = (await poll.json()) as { error: string; error_codes: number[]; trace_id: string; correlation_id: string; timestamp: string };
    assert.equal(body.error, "expired_token");
    assert.deepEqual(body.error_codes, [70020]);
    assert.ok(body.trace_id && body.correlation_id && body.timestamp);
  });

  it("unknown public clients are refused (AADSTS700016)", async () => {
    const res = await fetch(`${ts.settings.authorityHost}/organizations/oauth2/v2.0/devicecode`, { method: "POST", body: new URLSearchParams({ client_id: "11111111-2222-3333-4444-555555555555", scope: ts.settings.armScope }) });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error_description: string }).error_description, /^AADSTS700016: /);
  });

  it("the device-login page lets a human approve a code", async () => {
    const page = await fetch(`${ts.settings.authorityHost}/devicelogin`);
    const html = await page.text();
    // Relative, so that the page also works under a path prefix (code-server's /proxy/<port>/).
    assert.match(html, /<form method="post" action="devicelogin">/);
    assert.match(html, /alice@contoso\.example/);
    let code = "";
    let verificationUri = "";
    const flow = new DeviceCodeCredential({
      tenantId: "organizations",
      clientId: ts.settings.clientId,
      authorityHost: ts.settings.authorityHost,
      disableInstanceDiscovery: true,
      userPromptCallback: (info) => {
        code = info.userCode;
        verificationUri = info.verificationUri;
        // The link the user is shown: the page on its own plain-HTTP loopback origin, like Azure's
        // microsoft.com/devicelogin is another host than the token endpoint.
        void fetch(verificationUri, { method: "POST", body: new URLSearchParams({ code, upn: ALICE, deviceCompliant: "on", location: "office", action: "approve" }) });
      },
    });
    const token = await flow.getToken(ts.settings.armScope);
    assert.equal(claimsOf(token!.token).upn, ALICE);
    assert.match(verificationUri, /^http:\/\/127\.0\.0\.1:\d+\/devicelogin$/);
    assert.notEqual(new URL(verificationUri).origin, new URL(ts.settings.authorityHost).origin);
    assert.equal((await fetch(new URL("/organizations/oauth2/v2.0/token", verificationUri), { method: "POST" })).status, 404, "the page's origin serves the page only");
    assert.match(await (await fetch(new URL("/", verificationUri))).text(), /<form method="post" action="devicelogin">/, "also at the root, where code-server's /proxy/<port>/ lands");
    const wrong = await fetch(`${ts.settings.authorityHost}/devicelogin`, { method: "POST", body: new URLSearchParams({ code: "NOPE", upn: ALICE, action: "approve" }) });
    assert.equal(wrong.status, 400);
    assert.match(await wrong.text(), /No device code/);
  });
});
