/**
 * The device-code credential on MSAL Node, against the simulator's Entra ID: one sign-in for the
 * home and a guest tenant, a persisted cache that spares a new sign-in, claims step-up, cancellation.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MsalDeviceCodeCredential, type TokenCachePersistence } from "../../../src/core/azure/msalDeviceCodeCredential";
import { decodeTokenClaims } from "../../../src/core/azure/tokenClaims";
import { isCancellation } from "../../../src/core/cancellation";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { simCloud } from "../access/support/simContext";

const ALICE = "alice@contoso.example";

class MemoryPersistence implements TokenCachePersistence {
  data: string | undefined;
  async load(): Promise<string | undefined> {
    return this.data;
  }
  async save(serialized: string): Promise<void> {
    this.data = serialized;
  }
}

describe("MsalDeviceCodeCredential (simulator)", { timeout: 60_000 }, () => {
  let t: TestSimulator;
  let fabrikamTenant: string;
  before(async () => {
    t = await startTestSimulator("demo", { startVms: false });
    const tenant = t.sim.scenario.tenants.find((x) => /fabrikam/i.test(x.name));
    assert.ok(tenant, "the demo scenario has the Fabrikam tenant");
    fabrikamTenant = tenant.id;
  });
  after(async () => {
    await t?.stop();
  });

  function credential(persistence: TokenCachePersistence, prompts: string[], options: { mfa?: boolean } = {}): MsalDeviceCodeCredential {
    return new MsalDeviceCodeCredential({
      cloud: simCloud(t),
      tenantId: t.settings.tenantId,
      clientId: t.settings.clientId,
      persistence,
      userPrompt: (p) => {
        prompts.push(p.tenantId);
        t.control.approveDeviceCode({ userCode: p.userCode, upn: ALICE, mfa: options.mfa }).catch(() => undefined);
      },
    });
  }

  it("signs in once and gets tokens for the home tenant and a guest tenant", async () => {
    const prompts: string[] = [];
    const cred = credential(new MemoryPersistence(), prompts);
    const [a, b] = await Promise.all([cred.getToken(t.settings.armScope), cred.getToken(t.settings.armScope)]);
    assert.ok(a && b);
    const home = decodeTokenClaims(a.token);
    const guest = await cred.getToken(t.settings.armScope, { tenantId: fabrikamTenant });
    assert.ok(guest);
    assert.equal(decodeTokenClaims(guest.token).tid, fabrikamTenant);
    assert.notEqual(home.tid, fabrikamTenant);
    assert.equal(prompts.length, 1, "parallel first requests and the guest tenant share one sign-in");
  });

  it("a new instance with the persisted cache needs no sign-in (a window reload)", async () => {
    const persistence = new MemoryPersistence();
    const first: string[] = [];
    await credential(persistence, first).getToken(t.settings.armScope);
    assert.equal(first.length, 1);
    assert.match(persistence.data ?? "", /"RefreshToken":\s*\{\s*"/, "the refresh token was handed to the persistence port");
    const second: string[] = [];
    const again = credential(persistence, second);
    assert.equal(await again.canSignInSilently(), true);
    assert.ok(await again.getToken(t.settings.armScope));
    assert.equal(second.length, 0);
    await again.signOut();
    assert.equal(await again.canSignInSilently(), false);
  });

  it("claims the session cannot satisfy lead to a new sign-in carrying them (MFA step-up)", async () => {
    const prompts: string[] = [];
    const cred = credential(new MemoryPersistence(), prompts, { mfa: true });
    await cred.getToken(t.settings.armScope);
    const claims = JSON.stringify({ access_token: { acrs: { essential: true, value: "c1" } } });
    const stepped = await cred.getToken(t.settings.armScope, { claims });
    assert.ok(stepped);
    const decoded = decodeTokenClaims(stepped.token) as { acrs?: string[] | string };
    assert.ok(String(decoded.acrs ?? "").includes("c1"), `acrs in the stepped-up token: ${JSON.stringify(decoded.acrs)}`);
  });

  it("cancelling while the device code waits rejects with a cancellation", async () => {
    const cred = new MsalDeviceCodeCredential({ cloud: simCloud(t), tenantId: t.settings.tenantId, clientId: t.settings.clientId, userPrompt: () => undefined });
    const controller = new AbortController();
    const pending = cred.getToken(t.settings.armScope, { abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(pending, (e) => isCancellation(e));
  });
});
