/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import { readmeScreenshot } from "../support/readmeScreenshots";
import { useSimulatorSession } from "../support/simSession";

/**
 * Spec 1: sign in through the device-code flow and see every demo VM with the state it is there to
 * show (docs/ARCHITECTURE.md, "The demo scenario"; texts from src/vscode/tree/vmPresentation.ts).
 */
const EXPECTED_STATES: Readonly<Record<string, RegExp>> = {
  "vm-ready": /^ready · \d+m left$/, // role 8 h, JIT 1 h: the shorter one counts
  "vm-dev-01": /^needs PIM$/,
  "vm-approval": /^needs approval$/,
  "vm-mfa": /^MFA required$/,
  "vm-nojit": /^no JIT policy$/,
  "vm-legacy": /^Bastion can't tunnel$/, // Basic SKU
  "vm-locked": /^Bastion can't tunnel$/, // enableTunneling false
  "vm-stopped": /^stopped$/,
  "vm-password": /^needs PIM$/,
  "vm-nosecret": /^needs PIM · no credential$/,
  "vm-forbidden": /^needs PIM/,
  "gpu-ds-01": /^needs PIM$/,
  "win-01": /^Windows: no SSH$/,
  "vm-fabrikam": /^needs PIM$/,
};

describe("the VM tree on the demo scenario", function () {
  this.timeout(120_000);
  const ctx = useSimulatorSession("vm-tree");

  it("signs in with a device code entered on the simulator's device-login page", async () => {
    const { view, endpoints, upn, session } = ctx();
    await view.open();
    await session.workbench.screenshot("vm-tree--signed-out");
    const codes = await view.signIn(endpoints, { upn });
    assert.ok(codes.length >= 1 && codes.every((c) => /^[A-Z0-9-]{6,}$/.test(c)), `codes: ${codes.join(", ")}`);
  });

  it("closes the device-code prompts once signed in", async () => {
    const { session } = ctx();
    // A prompt left on screen would show a code for a sign-in that is over
    // (src/vscode/auth/deviceCodePrompt.ts ties each prompt to its flow's lifetime).
    const deadline = Date.now() + 10_000;
    let stale: string[] = [];
    do {
      stale = (await session.workbench.notifications.list()).filter((n) => /enter the code/i.test(n.message)).map((n) => n.message);
      if (stale.length === 0) return;
      await session.workbench.page.waitForTimeout(250);
    } while (Date.now() < deadline);
    assert.deepEqual(stale, [], "device-code prompts are still shown after the sign-in completed");
  });

  it("lists every demo VM under its tenant and subscription, with the state it shows", async () => {
    const { view, session } = ctx();
    await view.waitForVms(Object.keys(EXPECTED_STATES));
    const mismatches: string[] = [];
    for (const [vm, expected] of Object.entries(EXPECTED_STATES)) {
      try {
        await view.waitForVmDescription(vm, expected, 10_000);
      } catch (error) {
        mismatches.push(error instanceof Error ? error.message : String(error));
      }
    }
    assert.deepEqual(mismatches, []);
    // Two tenants (the user is a guest in Fabrikam): tenants, then subscriptions, then VMs.
    const groups = (await view.tree.rows()).filter((r) => r.expanded !== undefined).map((r) => `${r.level}:${r.label}`);
    for (const group of ["1:Contoso", "2:Contoso Dev", "2:Contoso Data Science", "1:Fabrikam", "2:Fabrikam Research"]) assert.ok(groups.includes(group), `group row ${group} missing; groups: ${groups.join(", ")}`);
    await session.workbench.notifications.clearAll();
    await view.widenSideBar(420);
    await session.workbench.screenshot("vm-tree");
  });

  it("explains a blocked VM in its tooltip", async () => {
    const { view, session } = ctx();
    const tooltip = await view.vmTooltip("vm-nojit", "No Defender for Cloud JIT policy covers this VM");
    assert.match(tooltip, /vm-nojit/);
    await readmeScreenshot(session.workbench, "vm-tree-tooltip", "vm-tree", { keepPointer: true });
  });

  it("Enter on a VM runs Connect: the request form opens for that VM, and Escape backs out without an error", async () => {
    const { view, session, sim } = ctx();
    const { workbench } = session;
    await workbench.notifications.clearAll();
    await view.tree.click("vm-dev-01");
    await workbench.page.keyboard.press("Enter");
    // vm-dev-01 needs PIM, so Connect starts with the request form (its policy is read first).
    await workbench.quickInput.widget.locator(".quick-input-title", { hasText: /^\s*Request access to vm-dev-01\b/ }).waitFor({ state: "visible", timeout: 60_000 });
    await workbench.screenshot("vm-tree--enter-connects");
    await workbench.quickInput.cancel();
    // Cancellation is not an error: no error notification, and nothing reached PIM.
    await workbench.page.waitForTimeout(500);
    const shown = (await workbench.notifications.list()).map((n) => n.message);
    assert.deepEqual(shown.filter((m) => /fail|error|could not/i.test(m)), [], `notifications: ${shown.join(" | ")}`);
    assert.deepEqual((await sim.control.pimRequests()).filter((r) => r.scope.toLowerCase().includes("rg-vm-dev-01")), []);
  });
});
