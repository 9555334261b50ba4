import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { authContextClaims, claimsFromChallenge, claimsFromPimMessage, claimsNeedStepUp, claimsToChallenge, mergeClaims, requestedAuthContexts } from "../../../src/core/azure/claims";

describe("claims", () => {
  it("treats the CAE capability claims as passive and anything else as a step-up", () => {
    assert.equal(claimsNeedStepUp(undefined), false);
    assert.equal(claimsNeedStepUp(""), false);
    assert.equal(claimsNeedStepUp(JSON.stringify({ access_token: { xms_cc: { values: ["cp1"] } } })), false);
    assert.equal(claimsNeedStepUp(JSON.stringify({ id_token: { signin_state: { essential: false } }, access_token: { xms_cc: { values: ["cp1"] } } })), false);
    assert.equal(claimsNeedStepUp(authContextClaims("c1")), true);
    assert.equal(claimsNeedStepUp(authContextClaims("c1")), true);
    assert.equal(claimsNeedStepUp(JSON.stringify({ access_token: { nbf: { essential: true, value: "1603742800" } } })), true, "CAE revocation needs a fresh sign-in");
    assert.equal(claimsNeedStepUp("not json"), true, "unparsable claims are passed on, not dropped");
  });

  it("extracts the URL-encoded claims of RoleAssignmentRequestAcrsValidationFailed (§2.7)", () => {
    const message = "&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D";
    const claims = claimsFromPimMessage(message);
    assert.ok(claims);
    assert.deepEqual(JSON.parse(claims), { access_token: { acrs: { essential: true, value: "c1" } } });
    assert.deepEqual(requestedAuthContexts(claims), ["c1"]);
    assert.equal(claimsFromPimMessage("The Role assignment already exists."), undefined);
    assert.equal(claimsFromPimMessage("claims=%7Bbroken"), undefined);
  });

  it("decodes challenge claims and builds a synthetic challenge for VS Code", () => {
    const claims = authContextClaims("c2");
    const header = claimsToChallenge(claims);
    assert.match(header, /^Bearer error="insufficient_claims", claims="/);
    assert.equal(claimsFromChallenge(header), claims);
    assert.equal(claimsFromChallenge('Bearer authorization_uri="https://x", error="invalid_token"'), undefined);
    assert.equal(claimsFromChallenge(undefined), undefined);
  });

  it("merges the CAE capability and authentication-context requests", () => {
    const merged = JSON.parse(mergeClaims(JSON.stringify({ access_token: { xms_cc: { values: ["cp1"] } } }), authContextClaims("c1"))) as { access_token: Record<string, unknown> };
    assert.deepEqual(Object.keys(merged.access_token).sort(), ["acrs", "xms_cc"]);
  });
});
