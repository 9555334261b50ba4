/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import { answerAccessRequest } from "../support/accessRequest";
import { menuTitle } from "../support/commandTitles";
import { signInAndFindVm, stepChain, useSimulatorSession } from "../support/simSession";

/**
 * The MFA step-up the demo's tour promises on vm-mfa (PIM policy: authentication context c1, which
 * Conditional Access ties to MFA): signed in without MFA, the activation asks to sign in again, a
 * new device code is entered with "Complete multi-factor authentication" ticked, and access opens.
 */
const VM = "vm-mfa";

describe(`MFA step-up on ${VM}`, function () {
  this.timeout(120_000);
  const ctx = useSimulatorSession("mfa-step-up");
  const { done, needs } = stepChain();

  it("signs in without MFA and lists the VM as needing MFA", async () => {
    await signInAndFindVm(ctx(), VM, /^MFA required$/, { mfa: false });
    done("sign-in");
  });

  it("asks to sign in again with MFA during the request, then opens access", async () => {
    needs("sign-in");
    const { view, session } = ctx();
    const { workbench } = session;
    await view.tree.clickInlineAction(VM, menuTitle("azureJit.requestAccess"));
    await answerAccessRequest(workbench, VM, { justification: "Rotate the service certificate" });
    const prompt = await workbench.dialog.waitFor(/^(Multi-factor authentication is required|Additional verification is required)/, 60_000);
    assert.match(prompt.detail, /new device code/i);
    await workbench.screenshot("mfa-step-up-prompt");
    await workbench.dialog.click("Sign In Again");
    await view.enterNextCode({ mfa: true });
    await workbench.notifications.waitFor(new RegExp(`Access to ${VM} is open until \\d{1,2}:\\d{2}`), 60_000);
    await view.waitForVmDescription(VM, /^ready · /, 30_000);
    await workbench.screenshot("mfa-step-up-ready");
  });
});
