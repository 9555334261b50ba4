import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createHttpHeaders, createPipelineRequest, RestError } from "@azure/core-rest-pipeline";
import { CancellationError } from "../../../src/core/cancellation";
import { aadstsCode, restErrorInfo, toJitError } from "../../../src/core/azure/azureErrors";
import { JitError } from "../../../src/core/errors";

function restError(status: number | undefined, code: string | undefined, message: string, headers: Record<string, string> = {}): RestError {
  const request = createPipelineRequest({ url: "https://management.azure.com/subscriptions/x?api-version=1" });
  return new RestError(message, { code, statusCode: status, request, response: status === undefined ? undefined : { status, headers: createHttpHeaders(headers), request } });
}

function authError(description: string): Error {
  const e = new Error(`DeviceCodeCredential authentication failed. ${description}`);
  e.name = "AuthenticationError";
  return e;
}

describe("azureErrors", () => {
  it("maps Conditional Access AADSTS codes to plain-language errors, keeping the raw text in cause", () => {
    const cases: [string, string][] = [
      ["AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.", "MfaRequired"],
      ["AADSTS53000: Device is not in required device state: compliant.", "DeviceNotCompliant"],
      ["AADSTS53003: Access has been blocked by Conditional Access policies.", "ConditionalAccessBlocked"],
    ];
    for (const [raw, code] of cases) {
      const source = authError(raw);
      const e = toJitError(source, "sign in");
      assert.ok(e instanceof JitError);
      assert.equal(e.code, code);
      assert.doesNotMatch(e.message, /AADSTS/, "no raw AADSTS dump in the message");
      assert.equal(e.cause, source);
    }
    assert.equal(aadstsCode(authError("AADSTS53003: blocked")), "53003");
    const unknown = toJitError(authError("AADSTS9999999: something new"), "sign in") as JitError;
    assert.equal(unknown.code, "AuthenticationFailed");
  });

  it("maps HTTP statuses", () => {
    const throttled = toJitError(restError(429, "TooManyRequests", "slow down", { "retry-after": "7" }), "list VMs") as JitError;
    assert.equal(throttled.code, "Throttled");
    assert.match(throttled.message, /7 s/);
    const forbidden = toJitError(restError(403, "AuthorizationFailed", "The client 'x' does not have authorization."), "read the JIT policy") as JitError;
    assert.equal(forbidden.code, "Forbidden");
    assert.match(forbidden.message, /read the JIT policy/);
    assert.equal((toJitError(restError(401, "InvalidAuthenticationToken", "expired"), "x") as JitError).code, "NotSignedIn");
    assert.equal((toJitError(restError(401, undefined, "claims", { "www-authenticate": 'Bearer error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnt9fQ=="' }), "x") as JitError).code, "StepUpRequired");
    assert.equal((toJitError(restError(503, "ServiceUnavailable", "busy"), "x") as JitError).code, "AzureRequestFailed");
    assert.equal((toJitError(restError(undefined, "ECONNREFUSED", "connect ECONNREFUSED"), "x") as JitError).code, "NetworkError");
  });

  it("never wraps cancellation or JitErrors", () => {
    const c = new CancellationError();
    assert.equal(toJitError(c, "x"), c);
    const abort = new Error("aborted");
    abort.name = "AbortError";
    assert.equal(toJitError(abort, "x"), abort);
    const j = new JitError("NoBastion", "none");
    assert.equal(toJitError(j, "x"), j);
  });

  it("redacts tokens that an ARM message might echo", () => {
    const e = toJitError(restError(400, "BadRequest", "bad token eyJhbGciOiJub25lIn0.eyJvaWQiOiJ4eHh4eHh4eCJ9.c2lnbmF0dXJl"), "x") as JitError;
    assert.doesNotMatch(e.message, /eyJhbGci/);
    assert.equal(restErrorInfo(new Error("x")), undefined);
  });
});
