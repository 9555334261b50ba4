/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import { type Locator } from "playwright-core";
import { nlsString } from "../support/commandTitles";
import { useSimulatorSession } from "../support/simSession";

/**
 * First run as a new user meets it: the walkthrough from the view's welcome text, its pictures
 * (images, not glyphs a browser may lack), the sign-in link of the device-code notification opened
 * through code-server's proxy, and the steps ticking as the user does them.
 */
describe("first run: walkthrough and sign-in link", function () {
  this.timeout(180_000);
  const ctx = useSimulatorSession("walkthrough");

  const step = (titleKey: string): Locator => {
    const { session } = ctx();
    return session.page.locator(".getting-started-step", { hasText: nlsString(titleKey) }).first();
  };
  // VS Code marks a done step on its check icon (`.codicon.complete`, with data-done-step-id).
  const isComplete = async (titleKey: string): Promise<boolean> => (await step(titleKey).locator(".codicon.complete").count()) > 0;

  it("opens the walkthrough from the view's welcome text, nothing ticked yet", async () => {
    const { view, session } = ctx();
    await view.open();
    const label = /\[([^\]]+)\]\(command:workbench\.action\.openWalkthrough/.exec(nlsString("azureJit.welcome.signedOut"))?.[1];
    assert.ok(label, "the welcome text links the walkthrough");
    await view.tree.pane.locator(".welcome-view-content a", { hasText: label }).click();
    await step("azureJit.walkthrough.signIn.title").waitFor({ state: "visible", timeout: 30_000 });
    assert.equal(await isComplete("azureJit.walkthrough.signIn.title"), false);
    await session.workbench.screenshot("walkthrough--start");
  });

  it("the explore step shows its icons as images that loaded", async () => {
    const { session } = ctx();
    await step("azureJit.walkthrough.explore.title").click();
    // The step's Markdown is rendered in a webview (nested iframes); look for the loaded images there.
    const deadline = Date.now() + 20_000;
    let loaded = 0;
    while (Date.now() < deadline && loaded < 5) {
      loaded = 0;
      for (const frame of session.page.frames()) {
        loaded += await frame
          .locator("img[src*='icons']")
          .evaluateAll((imgs: { complete: boolean; naturalWidth: number }[]) => imgs.filter((i) => i.complete && i.naturalWidth > 0).length)
          .catch(() => 0);
      }
      if (loaded < 5) await session.page.waitForTimeout(250);
    }
    assert.ok(loaded >= 5, `icon images loaded in the explore step: ${loaded}`);
    await session.workbench.screenshot("walkthrough--explore");
  });

  it("signs in through the link in the device-code notification, and the sign-in step ticks", async () => {
    const { view, endpoints, upn, session, sim } = ctx();
    const page = new URL(sim.sim.endpoints.deviceLogin);
    assert.equal(page.protocol, "http:", "the device-login page needs no certificate");
    // code-server keeps only the port of a localhost link; the simulator shows the page at that root.
    const proxied = `${session.codeServer.origin}/proxy/${page.port}/`;
    await view.open();
    await view.signIn({ ...endpoints, deviceLoginUrl: proxied, followNotificationLink: true }, { upn });
    // Back on the walkthrough's editor tab ("Walkthrough: Azure JIT Connect").
    await session.page.locator(".tabs-container .tab", { hasText: /Walkthrough/ }).first().click();
    const deadline = Date.now() + 20_000;
    while (!(await isComplete("azureJit.walkthrough.signIn.title")) && Date.now() < deadline) await session.page.waitForTimeout(250);
    assert.equal(await isComplete("azureJit.walkthrough.signIn.title"), true, "onContext:azureJit.signedIn ticks the sign-in step");
    assert.equal(await isComplete("azureJit.walkthrough.explore.title"), true, "onView:azureJit.vms ticks the explore step");
    await session.workbench.screenshot("walkthrough--ticked");
  });
});
