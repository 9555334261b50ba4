/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import { signInAndFindVm, stepChain, useSimulatorSession } from "../support/simSession";
import { advanceClockWithDemoCommand } from "../support/demoCommands";
import { paletteTitle } from "../support/commandTitles";

/**
 * The T-10 warning, as a user meets it (issue 11, point 5): one notification with an Extend link
 * when vm-ready's access nears its end, and withdrawn once it is no longer true: the role is
 * deactivated in the portal, the extension reads that from Azure at the next refresh, and the
 * warning goes away by itself.
 */
const VM = "vm-ready";
const WARNING = /Access to vm-ready ends in 10 minutes/;

describe(`the expiry warning for ${VM}, withdrawn when no longer true`, function () {
  this.timeout(180_000);
  const ctx = useSimulatorSession("expiry-warning");
  const { done, needs } = stepChain();

  it("signs in and lists the VM as ready (access granted outside the extension)", async () => {
    await signInAndFindVm(ctx(), VM, /^ready/);
    done("sign-in");
  });

  it("ten minutes before the end: one warning with an Extend link", async () => {
    needs("sign-in");
    const { workbench } = ctx().session;
    // vm-ready's JIT window is an hour long: 50 minutes on the simulator's clock leave under ten.
    for (const minutes of [30, 10, 10]) await advanceClockWithDemoCommand(workbench, { minutes });
    const toast = await workbench.notifications.waitFor(WARNING, 60_000);
    assert.equal(await toast.locator(".notification-list-item-message a", { hasText: "Extend" }).count(), 1, "the warning has no Extend link");
    const warnings = (await workbench.notifications.list()).filter((n) => WARNING.test(n.message));
    assert.equal(warnings.length, 1, `one warning expected: ${warnings.map((w) => w.message).join(" | ")}`);
    await workbench.screenshot("expiry-warning");
    done("warned");
  });

  it("the role deactivated in the portal: at the next refresh the warning is withdrawn", async () => {
    needs("warned");
    const { view, session, sim, upn } = ctx();
    const { workbench } = session;
    // Still on screen before anything changes (a warning stays until it is no longer true).
    await workbench.notifications.waitFor(WARNING, 5_000);
    await sim.control.portalDeactivate(upn, VM);
    await workbench.runCommand(paletteTitle("azureJit.refresh"));
    await view.waitForVmDescription(VM, /^needs PIM|^access expired/, 60_000);
    await workbench.notifications.waitForGone(WARNING, 30_000);
    // Withdrawn, not merely tucked into the notification centre.
    await workbench.runCommand("Notifications: Show Notifications");
    const centre = workbench.page.locator(".notifications-center .notification-list-item-message");
    await centre.first().waitFor({ state: "attached", timeout: 10_000 }).catch(() => undefined);
    const messages = await centre.allTextContents();
    assert.deepEqual(messages.filter((m) => WARNING.test(m)), [], `the warning is still in the notification centre: ${messages.join(" | ")}`);
    assert.equal(await workbench.statusBarItem({ id: "azureJit.countdown" }), undefined, "the countdown still shows an ended grant");
  });
});
