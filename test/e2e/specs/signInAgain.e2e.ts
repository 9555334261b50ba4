/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import { signInAndFindVm, stepChain, useSimulatorSession } from "../support/simSession";
import { menuTitle, paletteTitle } from "../support/commandTitles";

/**
 * Sign-in recovery in place, as a user meets it (issue 11, point 4): an administrator revokes the
 * user's sign-in sessions (Graph's revokeSignInSessions), so ARM refuses the CAE-capable access token
 * and Entra the refresh token. The tree keeps every VM, marked stale, with "Sign In Again" in the
 * view's title, its message and one notification; signing in again (no sign-out) reads the state
 * afresh from Azure, including access granted in the portal meanwhile.
 */
const VM = "vm-dev-01";
const REFUSED = /Azure no longer accepts your sign-in/;

describe("sign in again after Azure refuses the token", function () {
  this.timeout(180_000);
  const ctx = useSimulatorSession("sign-in-again");
  const { done, needs } = stepChain();
  let listed: string[] = [];

  it("signs in and lists the VMs", async () => {
    const s = ctx();
    await signInAndFindVm(s, VM, /^needs PIM/);
    await s.view.expandAll();
    listed = [...(await s.view.vmRows()).keys()].sort();
    assert.ok(listed.length > 5, `only ${listed.length} VMs listed`);
    done("sign-in");
  });

  it("a refused token keeps the last known tree, marked stale, with Sign In Again", async () => {
    needs("sign-in");
    const { view, session, sim } = ctx();
    const { workbench } = session;
    await workbench.notifications.clearAll();
    // An administrator revokes the user's sessions (a lost laptop): the refresh token is refused, and
    // ARM refuses the CAE-capable access token at once. A second passes first: tokens carry whole seconds.
    await sim.control.advanceClock(2);
    await sim.control.revokeSignInSessions(ctx().upn);
    await workbench.runCommand(paletteTitle("azureJit.refresh"));
    const toast = await workbench.notifications.waitFor(REFUSED, 60_000);
    assert.match((await toast.textContent()) ?? "", /Sign In Again/);
    const deadline = Date.now() + 15_000;
    while (!REFUSED.test(await view.tree.message()) && Date.now() < deadline) await workbench.page.waitForTimeout(200);
    assert.match(await view.tree.message(), /stale/);
    await view.expandAll();
    assert.deepEqual([...(await view.vmRows()).keys()].sort(), listed, "the last known VMs did not all stay");
    await view.tree.titleAction(menuTitle("azureJit.signInAgain")).waitFor({ state: "attached", timeout: 15_000 });
    await workbench.screenshot("sign-in-again-stale");
    done("refused");
  });

  it("Sign In Again reads Azure afresh: access granted in the portal meanwhile shows, and the stale mark goes", async () => {
    needs("refused");
    const { view, session, sim, upn } = ctx();
    const { workbench } = session;
    await sim.control.portalActivate(upn, VM);
    await sim.control.portalJit(upn, VM);
    await workbench.notifications.clickButton(REFUSED, "Sign In Again");
    await view.enterNextCode({ mfa: false }, 60_000);
    await view.waitForVmDescription(VM, /^ready/, 60_000);
    const deadline = Date.now() + 15_000;
    while ((await view.tree.message()) !== "" && Date.now() < deadline) await workbench.page.waitForTimeout(200);
    assert.equal(await view.tree.message(), "", "the stale message stayed after signing in again");
    assert.equal(await view.tree.titleAction(menuTitle("azureJit.signInAgain")).count(), 0, "Sign In Again is still offered");
    await view.expandAll();
    assert.deepEqual([...(await view.vmRows()).keys()].sort(), listed);
    await workbench.screenshot("sign-in-again-recovered");
  });
});
