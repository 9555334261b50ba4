/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { answerAccessRequest } from "../support/accessRequest";
import { menuTitle } from "../support/commandTitles";
import { approveWithDemoCommand } from "../support/demoCommands";
import { readmeScreenshot } from "../support/readmeScreenshots";
import { signInAndFindVm, stepChain, useSimulatorSession } from "../support/simSession";

/**
 * Spec 6, the approval path on vm-approval (PIM policy: approval + justification + ticket): the
 * request waits for an approver, the UI says so, the demo command approves it, the VM turns ready.
 */
const VM = "vm-approval";

describe(`approval path on ${VM}`, function () {
  this.timeout(120_000);
  const ctx = useSimulatorSession("approval");
  const { done, needs } = stepChain();

  it("signs in and lists the VM as needing approval", async () => {
    await signInAndFindVm(ctx(), VM, /^needs approval$/);
    done("sign-in");
  });

  it("requests access with a justification and a ticket; the request waits for an approver", async () => {
    needs("sign-in");
    const { view, session, sim } = ctx();
    const { workbench } = session;
    const justification = `Restart the stuck ingestion job (${randomBytes(3).toString("hex")})`;
    const ticket = `INC${Math.floor(100000 + Math.random() * 900000)}`;
    await view.tree.clickInlineAction(VM, menuTitle("azureJit.requestAccess"));
    await answerAccessRequest(workbench, VM, { justification, ticket: { number: ticket, system: "ServiceNow" } });
    await workbench.notifications.waitFor(`Your access request for ${VM} is waiting for an approver.`, 60_000);
    await view.waitForVmDescription(VM, /^pending approval$/);
    // What reached PIM: one request pending approval, with the justification and ticket typed in.
    const pending = (await sim.control.pimRequests("PendingApproval")).filter((r) => r.scope.toLowerCase().includes("/resourcegroups/rg-vm-approval"));
    assert.equal(pending.length, 1, JSON.stringify(pending));
    assert.equal(pending[0]!.justification, justification);
    assert.equal(pending[0]!.ticketNumber, ticket);
    await readmeScreenshot(workbench, "approval-pending", "approval");
    done("pending");
  });

  it('"Approve Pending Request" (demo) approves it: a notification, and the VM turns ready', async () => {
    needs("pending");
    const { view, session, sim } = ctx();
    const { workbench } = session;
    await workbench.notifications.clearAll();
    await approveWithDemoCommand(workbench, VM);
    await workbench.notifications.waitFor(new RegExp(`Your access request for ${VM} was approved: access is open until \\d{1,2}:\\d{2}`), 60_000);
    await view.waitForVmDescription(VM, /^ready · /, 30_000);
    assert.deepEqual((await sim.control.pimRequests("PendingApproval")).filter((r) => r.scope.toLowerCase().includes("/resourcegroups/rg-vm-approval")), []);
    await workbench.waitForStatusBarItem({ id: "azureJit.countdown" });
    await workbench.screenshot("approval-approved");
  });
});
