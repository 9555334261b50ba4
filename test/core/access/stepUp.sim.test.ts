import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CancellationError } from "../../../src/core/cancellation";
import type { StepUpHandler, StepUpRequest } from "../../../src/core/azure/stepUp";
import { decodeTokenClaims } from "../../../src/core/azure/tokenClaims";
import { loadInventory } from "../../../src/core/inventory/loadInventory";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { accessHarness } from "./support/accessHarness";
import { deviceCodeStepUp, signedInContext } from "./support/simContext";

describe("MFA and authentication-context step-up (vm-mfa, simulator)", () => {
  let t: TestSimulator;
  before(async () => {
    t = await startTestSimulator("demo", {
      startVms: false,
      // vm-password: MFA required, no authentication context (PIM's MfaRule alone).
      edit: (s) => {
        const p = s.pimPolicies?.find((x) => x.scope.endsWith("rg-vm-password"));
        if (p) p.requireMfa = true;
      },
    });
  });
  after(async () => {
    await t?.stop();
  });

  it("steps up before activating when the token lacks MFA and context c1, then reaches granted", async () => {
    const seen: string[] = [];
    const requests: StepUpRequest[] = [];
    const real = deviceCodeStepUp(t, "alice@contoso.example", seen);
    const handler: StepUpHandler = (r, s) => (requests.push(r), real(r, s));
    const ctx = await signedInContext(t, "alice@contoso.example", { stepUp: handler });
    const h = await accessHarness(ctx);
    try {
      const vm = await h.vm("vm-mfa");
      assert.equal(vm.readiness.needs.mfa, true);
      assert.equal(vm.readiness.needs.authenticationContext, "c1");
      const grant = await h.machine.requestAccess(vm);
      assert.equal(h.machine.state(vm.id).kind, "granted");
      assert.equal(requests.length, 1, "one sign-in prompt");
      assert.equal(requests[0]?.tenantId, vm.tenantId);
      assert.match(requests[0]?.claims ?? "", /"acrs":\{"essential":true,"value":"c1"\}/);
      assert.doesNotMatch(requests[0]?.claims ?? "", /"amr"/, "no undocumented amr claims request");
      assert.equal(requests[0]?.freshSignIn, true, "MFA comes from a fresh interactive sign-in");
      assert.match(requests[0]?.message ?? "", /multi-factor authentication and Conditional Access authentication context "c1"/);
      const pim = (await t.control.pimRequests()).find((r) => r.name === grant.roleAssignment.requestName);
      assert.equal(pim?.status, "Provisioned");
      assert.equal(ctx.credential.generation, 1);
    } finally {
      await h.dispose();
    }
  });

  it("after PIM's RoleAssignmentRequestAcrsValidationFailed, steps up with the claims from the message and retries once", async () => {
    // The first prompt "succeeds" without the context (the user signed in without completing it):
    // PIM then refuses with the URL-encoded claims, and the flow asks once more with exactly those.
    const requests: StepUpRequest[] = [];
    const real = deviceCodeStepUp(t, "alice@contoso.example");
    let calls = 0;
    const handler: StepUpHandler = async (r, s) => {
      requests.push(r);
      calls++;
      if (calls === 1) {
        const weak = t.deviceCodeCredential("alice@contoso.example", { mfa: true, tenantId: r.tenantId });
        const token = await weak.getToken(r.scopes, { tenantId: r.tenantId });
        if (!token) throw new Error("no token");
        assert.deepEqual(decodeTokenClaims(token.token).acrs, [], "this token really lacks c1");
        return token;
      }
      return real(r, s);
    };
    const ctx = await signedInContext(t, "alice@contoso.example", { stepUp: handler });
    // Not vm-mfa (already active from the previous test): the same policy on another VM.
    const h = await accessHarness(ctx);
    try {
      const vm = { ...(await h.vm("vm-mfa")) };
      await t.control.advanceClock(9 * 3600); // the previous activation has ended
      const grant = await h.machine.requestAccess(await h.vm("vm-mfa"));
      assert.equal(requests.length, 2);
      assert.equal(requests[1]?.reason, "authenticationContext");
      assert.deepEqual(JSON.parse(requests[1]?.claims ?? "{}"), { access_token: { acrs: { essential: true, value: "c1" } } }, "the claims PIM asked for, verbatim");
      assert.ok(grant.roleAssignment.requestName);
      assert.equal(vm.name, "vm-mfa");
      const activations = (await t.control.pimRequests()).filter((r) => r.scope.endsWith("rg-vm-mfa") && r.requestType === "SelfActivate");
      assert.equal(activations.filter((r) => r.status === "Provisioned").length, 2, "one refused attempt is not recorded by PIM, the retry is");
    } finally {
      await h.dispose();
    }
  });

  it("PIM's MfaRule (policy unreadable, so learnt from the refusal): a fresh interactive sign-in with no claims request, then one retry", async () => {
    const requests: StepUpRequest[] = [];
    const real = deviceCodeStepUp(t, "alice@contoso.example");
    const ctx = await signedInContext(t, "alice@contoso.example", { stepUp: (r, s) => (requests.push(r), real(r, s)) });
    const h = await accessHarness(ctx);
    const fault = await t.control.addFault({ match: { service: "arm.pim", pathRegex: "rg-vm-password/providers/Microsoft.Authorization/roleManagementPolic" }, status: 403 });
    try {
      const grant = await h.machine.requestAccess(await h.vm("vm-password"));
      assert.equal(requests.length, 1);
      assert.equal(requests[0]?.reason, "mfa");
      assert.equal(requests[0]?.freshSignIn, true);
      assert.equal(requests[0]?.claims, "", "PIM's MfaRule names no claims, and none are invented");
      const pim = (await t.control.pimRequests()).find((r) => r.name === grant.roleAssignment.requestName);
      assert.equal(pim?.status, "Provisioned");
    } finally {
      await t.control.clearFaults(fault);
      await h.dispose();
    }
  });

  it("a declined step-up is a cancellation, and nothing was requested", async () => {
    const ctx = await signedInContext(t, "alice@contoso.example", { stepUp: async () => Promise.reject(new CancellationError()) });
    const h = await accessHarness(ctx);
    try {
      await t.control.advanceClock(9 * 3600);
      const before = (await t.control.pimRequests()).length;
      await assert.rejects(h.machine.requestAccess(await h.vm("vm-mfa")), (e: Error) => e.name === "CancellationError");
      assert.equal((await t.control.pimRequests()).length, before);
      const state = h.machine.state((await h.vm("vm-mfa")).id);
      assert.equal(state.kind, "cancelled");
    } finally {
      await h.dispose();
    }
  });

  it("a CAE challenge asking for a fresh token (nbf) is answered by a silent refresh: no prompt, and the call succeeds", async () => {
    const requests: StepUpRequest[] = [];
    const real = deviceCodeStepUp(t, "alice@contoso.example");
    const ctx = await signedInContext(t, "alice@contoso.example", { stepUp: (r, s) => (requests.push(r), real(r, s)) });
    await loadInventory(ctx);
    await t.control.armCaeChallenge(1);
    const since = await t.control.lastAuditSeq();
    const inventory = await loadInventory(ctx);
    assert.equal(inventory.vms.length, 14);
    assert.deepEqual(inventory.partialErrors, []);
    assert.equal(requests.length, 0, "the user was asked although a refresh was enough");
    const audit = await t.control.audit(since);
    assert.ok(audit.some((a) => a.status === 401 && /CAE challenge/.test(a.detail ?? "")), "the challenge was not met");
    assert.ok(audit.some((a) => a.service === "login" && a.path.includes("/oauth2/v2.0/token") && a.status === 200), "no refresh answered it");
    assert.ok(!audit.some((a) => a.path.includes("/devicecode")), "a device code was started");
  });
});
