import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { CancellationError } from "../../../src/core/cancellation";
import { authContextClaims, claimsAskOnlyFreshToken } from "../../../src/core/azure/claims";
import { isJitError, JitError } from "../../../src/core/errors";
import { StepUpCredential, type StepUpRequest } from "../../../src/core/azure/stepUp";
import { ManualClock } from "../access/support/manualClock";

function jwt(payload: Record<string, unknown>): string {
  const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${enc({ alg: "none" })}.${enc(payload)}.sig`;
}

class RecordingCredential implements TokenCredential {
  calls: { scopes: string[]; options: GetTokenOptions }[] = [];
  constructor(private readonly make: (options: GetTokenOptions) => AccessToken) {}
  async getToken(scopes: string | string[], options: GetTokenOptions = {}): Promise<AccessToken> {
    this.calls.push({ scopes: Array.isArray(scopes) ? scopes : [scopes], options });
    return this.make(options);
  }
}

describe("StepUpCredential", () => {
  const scope = "https://management.azure.com/.default";

  it("passes ordinary requests (including CAE capability claims) to the sign-in credential", async () => {
    const clock = new ManualClock();
    const inner = new RecordingCredential(() => ({ token: "plain", expiresOnTimestamp: clock.now() + 3600_000 }));
    let asked = 0;
    const cred = new StepUpCredential(inner, { clock, handler: async () => (asked++, { token: "x", expiresOnTimestamp: 0 }) });
    assert.equal((await cred.getToken(scope))?.token, "plain");
    assert.equal((await cred.getToken(scope, { claims: JSON.stringify({ access_token: { xms_cc: { values: ["cp1"] } } }) }))?.token, "plain");
    assert.equal(asked, 0);
    assert.equal(inner.calls.length, 2);
  });

  it("routes real claims to the handler, then prefers the stepped-up token for that scope and tenant", async () => {
    const clock = new ManualClock();
    const inner = new RecordingCredential(() => ({ token: "plain", expiresOnTimestamp: clock.now() + 3600_000 }));
    const requests: StepUpRequest[] = [];
    const cred = new StepUpCredential(inner, { clock, handler: async (r) => (requests.push(r), { token: "stepped", expiresOnTimestamp: clock.now() + 3600_000 }) });
    let rebuilt = 0;
    cred.onDidStepUp(() => rebuilt++);
    const tenantCred = cred.forTenant("t1");
    const t = await tenantCred.getToken([scope], { claims: authContextClaims("c1") });
    assert.equal(t?.token, "stepped");
    assert.equal(requests[0]?.tenantId, "t1");
    assert.equal(requests[0]?.reason, "claimsChallenge");
    assert.equal(rebuilt, 1, "clients are told to rebuild their pipelines");
    assert.equal(cred.generation, 1);
    assert.equal((await tenantCred.getToken(scope))?.token, "stepped", "the retry must carry the new claims");
    assert.equal((await cred.forTenant("t2").getToken(scope))?.token, "plain", "other tenants keep their own token");
    await clock.advance(59 * 60_000);
    assert.equal((await tenantCred.getToken(scope))?.token, "plain", "a stepped-up token close to expiry is not reused");
  });

  it("shares one prompt between concurrent identical step-ups", async () => {
    const clock = new ManualClock();
    let prompts = 0;
    const cred = new StepUpCredential(new RecordingCredential(() => ({ token: "p", expiresOnTimestamp: 0 })), {
      clock,
      handler: async () => {
        prompts++;
        await new Promise((r) => setTimeout(r, 5));
        return { token: "s", expiresOnTimestamp: clock.now() + 3600_000 };
      },
    });
    const req = { scopes: [scope], claims: authContextClaims("c1"), tenantId: "t", reason: "authenticationContext" as const, message: "m" };
    const [a, b] = await Promise.all([cred.stepUp(req), cred.stepUp(req)]);
    assert.equal(a.token, "s");
    assert.equal(b.token, "s");
    assert.equal(prompts, 1);
  });

  it("without a handler, a step-up is a StepUpRequired error; a declined prompt stays a cancellation", async () => {
    const plain = new RecordingCredential(() => ({ token: "p", expiresOnTimestamp: 0 }));
    const none = new StepUpCredential(plain);
    await assert.rejects(none.getToken(scope, { claims: authContextClaims("c1") }), (e: Error & { code?: string }) => e.code === "StepUpRequired" && /sign in again/i.test(e.message));
    const declined = new StepUpCredential(plain, { handler: async () => Promise.reject(new CancellationError()) });
    await assert.rejects(declined.getToken(scope, { claims: authContextClaims("c1") }), (e: Error) => e.name === "CancellationError");
    assert.equal(declined.generation, 0);
  });

  it("refreshes a cached token that Azure's clock already considers expired", async () => {
    const local = new ManualClock();
    const server = new ManualClock(local.now() + 2 * 3600_000); // Azure is two hours ahead
    let n = 0;
    const inner = new RecordingCredential((o) => {
      n++;
      const exp = o.claims ? server.now() + 3600_000 : local.now() + 3600_000;
      return { token: jwt({ exp: Math.floor(exp / 1000), n }), expiresOnTimestamp: local.now() + 3600_000 };
    });
    const cred = new StepUpCredential(inner, { clock: local, serverClock: server });
    const token = await cred.getToken(scope);
    assert.equal(inner.calls.length, 2, "a second, cache-bypassing request");
    assert.ok(inner.calls[1]?.options.claims?.includes("xms_cc"));
    assert.match(token?.token ?? "", /\./);
    const fresh = new StepUpCredential(inner, { clock: local, serverClock: local });
    inner.calls = [];
    await fresh.getToken(scope);
    assert.equal(inner.calls.length, 1, "no refresh when the clocks agree");
  });

  describe("a CAE challenge asking only for a fresh token (nbf)", () => {
    const nbf = JSON.stringify({ access_token: { nbf: { essential: true, value: "1767225600" } } });

    class SilentCredential extends RecordingCredential {
      silent: (string | undefined)[] = [];
      constructor(private readonly refresh: () => AccessToken) {
        super(() => ({ token: "plain", expiresOnTimestamp: Date.now() + 3600_000 }));
      }
      async refreshSilently(_scopes: string[], options: { claims?: string } = {}): Promise<AccessToken> {
        this.silent.push(options.claims);
        return this.refresh();
      }
    }

    it("recognises the shape: nbf (with the capability claims) only", () => {
      assert.equal(claimsAskOnlyFreshToken(nbf), true);
      assert.equal(claimsAskOnlyFreshToken(JSON.stringify({ access_token: { nbf: { essential: true, value: "1" }, xms_cc: { values: ["cp1"] } } })), true);
      assert.equal(claimsAskOnlyFreshToken(authContextClaims("c1")), false, "an authentication context needs the user");
      assert.equal(claimsAskOnlyFreshToken(JSON.stringify({ access_token: { nbf: { essential: true, value: "1" }, acrs: { essential: true, value: "c1" } } })), false);
      assert.equal(claimsAskOnlyFreshToken(JSON.stringify({ access_token: { xms_cc: { values: ["cp1"] } } })), false, "no nbf: not a challenge at all");
      assert.equal(claimsAskOnlyFreshToken("not json"), false);
    });

    it("is answered by a silent refresh with the claims, without the step-up prompt", async () => {
      const clock = new ManualClock();
      const inner = new SilentCredential(() => ({ token: "fresh", expiresOnTimestamp: clock.now() + 3600_000 }));
      let prompts = 0;
      const cred = new StepUpCredential(inner, { clock, handler: async () => (prompts++, { token: "x", expiresOnTimestamp: 0 }) });
      assert.equal((await cred.getToken(scope, { claims: nbf }))?.token, "fresh");
      assert.deepEqual(inner.silent, [nbf]);
      assert.equal(prompts, 0);
      assert.equal((await cred.getToken(scope))?.token, "fresh", "the retry uses the fresh token, not the cached one Azure refused");
    });

    it("a refused refresh is a refused sign-in (shown in place as Sign In Again), not a prompt", async () => {
      const inner = new SilentCredential(() => {
        throw new JitError("NotSignedIn", "Azure no longer accepts your sign-in.", { details: { signInRefused: true } });
      });
      let prompts = 0;
      const cred = new StepUpCredential(inner, { handler: async () => (prompts++, { token: "x", expiresOnTimestamp: 0 }) });
      await assert.rejects(cred.getToken(scope, { claims: nbf }), (e: unknown) => isJitError(e) && e.code === "NotSignedIn" && e.details.signInRefused === true);
      assert.equal(prompts, 0);
    });

    it("a credential that cannot refresh silently (the VS Code account) still goes through the prompt", async () => {
      const inner = new SilentCredential(() => ({ token: "never", expiresOnTimestamp: 0 }));
      Object.assign(inner, { supportsSilentRefresh: () => false });
      let prompts = 0;
      const cred = new StepUpCredential(inner, { handler: async () => (prompts++, { token: "stepped", expiresOnTimestamp: Date.now() + 3600_000 }) });
      assert.equal((await cred.getToken(scope, { claims: nbf }))?.token, "stepped");
      assert.equal(prompts, 1);
      assert.deepEqual(inner.silent, []);
    });
  });
});

