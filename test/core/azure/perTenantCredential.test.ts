import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { PerTenantCredential } from "../../../src/core/azure/perTenantCredential";

function jwt(payload: Record<string, unknown>): string {
  const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${enc({ alg: "none" })}.${enc(payload)}.sig`;
}

/** Like @azure/identity's device-code credential: ignores tenantId, signs in on its first call. */
class FakeInteractive implements TokenCredential {
  signIns = 0;
  calls: GetTokenOptions[] = [];
  private signedIn = false;
  constructor(private readonly tid: string) {}
  async getToken(_scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken> {
    this.calls.push(options);
    if (!this.signedIn) {
      this.signIns++;
      await new Promise((r) => setTimeout(r, 5));
      this.signedIn = true;
    }
    return { token: jwt({ tid: this.tid }), expiresOnTimestamp: Date.now() + 3600_000 };
  }
}

describe("PerTenantCredential", () => {
  it("uses the home credential for the home tenant (also when configured as 'organizations')", async () => {
    const home = new FakeInteractive("home-tid");
    const made: string[] = [];
    const cred = new PerTenantCredential(home, "organizations", (t) => (made.push(t), new FakeInteractive(t)));
    await cred.getToken("s");
    await cred.getToken("s", { tenantId: "HOME-TID" });
    assert.deepEqual(made, []);
    assert.ok(home.calls.every((c) => c.tenantId === undefined), "tenantId is not passed to a credential that would ignore it");
  });

  it("signs in separately to a guest tenant and returns that tenant's token", async () => {
    const home = new FakeInteractive("home-tid");
    const made = new Map<string, FakeInteractive>();
    const cred = new PerTenantCredential(home, "organizations", (t) => {
      const c = new FakeInteractive(t);
      made.set(t, c);
      return c;
    });
    const token = await cred.getToken("s", { tenantId: "guest-tid" });
    assert.match(Buffer.from(token?.token.split(".")[1] ?? "", "base64url").toString(), /guest-tid/);
    assert.deepEqual([...made.keys()], ["guest-tid"]);
  });

  it("runs one interactive sign-in when many requests arrive at once", async () => {
    const home = new FakeInteractive("home-tid");
    const guests: FakeInteractive[] = [];
    const cred = new PerTenantCredential(home, "home-tid", (t) => {
      const c = new FakeInteractive(t);
      guests.push(c);
      return c;
    });
    await Promise.all(Array.from({ length: 8 }, () => cred.getToken("s")));
    assert.equal(home.signIns, 1);
    await Promise.all(Array.from({ length: 8 }, () => cred.getToken("s", { tenantId: "guest" })));
    assert.equal(guests.length, 1);
    assert.equal(guests[0]?.signIns, 1);
  });
});
