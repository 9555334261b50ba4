/** The service's credential: none before sign-in (a NotSignedIn JitError), then the current one. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sshCertificateSourceOf } from "../../src/core/entraSsh/certificateSource";
import { isJitError } from "../../src/core/errors";
import { SwitchableCredential } from "../../src/vscode/auth/switchableCredential";

describe("SwitchableCredential", () => {
  it("forwards to the credential in place, and refuses plainly without one", async () => {
    const c = new SwitchableCredential();
    await assert.rejects(c.getToken("s"), (e: unknown) => isJitError(e) && e.code === "NotSignedIn");
    const seen: unknown[] = [];
    c.set({ getToken: async (scopes, options) => (seen.push([scopes, options?.tenantId]), { token: "t", expiresOnTimestamp: 1 }) });
    assert.equal((await c.getToken(["s"], { tenantId: "x" }))?.token, "t");
    assert.deepEqual(seen, [[["s"], "x"]]);
    c.set(undefined);
    assert.equal(c.current, undefined);
    await assert.rejects(c.getToken("s"));
  });

  it("offers the SSH-certificate ability of the current sign-in only (Entra ID login)", () => {
    const c = new SwitchableCredential();
    assert.equal(sshCertificateSourceOf(c), undefined, "not signed in");
    c.set({ getToken: async () => null });
    assert.equal(sshCertificateSourceOf(c), undefined, "a credential without the ability");
    const able = { getToken: async () => null, acquireSshCertificate: async () => "blob" };
    c.set(able);
    assert.equal(sshCertificateSourceOf(c), able);
  });
});
