import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeTokenClaims, missingTokenRequirements } from "../../../src/core/azure/tokenClaims";

function jwt(payload: Record<string, unknown>): string {
  const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${enc({ alg: "none" })}.${enc(payload)}.sig`;
}

describe("tokenClaims", () => {
  it("reads oid, tid, upn, amr, acrs and exp", () => {
    const c = decodeTokenClaims(jwt({ oid: "o", tid: "t", upn: "alice@contoso.example", amr: ["pwd", "mfa"], acrs: ["c1"], exp: 2000 }));
    assert.equal(c.oid, "o");
    assert.equal(c.tid, "t");
    assert.equal(c.upn, "alice@contoso.example");
    assert.deepEqual(c.amr, ["pwd", "mfa"]);
    assert.deepEqual(c.acrs, ["c1"]);
    assert.equal(c.expiresAt, 2_000_000);
  });

  it("survives garbage", () => {
    assert.deepEqual(decodeTokenClaims("nope"), { amr: [], acrs: [] });
    assert.deepEqual(decodeTokenClaims("a.b.c"), { amr: [], acrs: [] });
  });

  it("says which policy requirements a token misses", () => {
    const plain = decodeTokenClaims(jwt({ amr: ["pwd"] }));
    assert.deepEqual(missingTokenRequirements(plain, { mfa: true, authenticationContext: "c1" }), { mfa: true, authenticationContext: "c1" });
    const stepped = decodeTokenClaims(jwt({ amr: ["pwd", "mfa"], acrs: ["c1"] }));
    assert.deepEqual(missingTokenRequirements(stepped, { mfa: true, authenticationContext: "c1" }), {});
    assert.deepEqual(missingTokenRequirements(stepped, { authenticationContext: "c2" }), { authenticationContext: "c2" });
  });
});
