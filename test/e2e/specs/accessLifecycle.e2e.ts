/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { answerAccessRequest } from "../support/accessRequest";
import { menuTitle } from "../support/commandTitles";
import { advanceClockWithDemoCommand } from "../support/demoCommands";
import { readmeScreenshot } from "../support/readmeScreenshots";
import { signInAndFindVm, stepChain, useSimulatorSession } from "../support/simSession";

/**
 * Specs 2–5, one user story on vm-dev-01 (needs PIM with a justification): request access, watch
 * the countdown, open an SSH terminal and prove on the VM side that a command ran there, then let
 * the grant expire. The steps build on each other, as they do for a user; each asserts its own
 * outcome, and a step after a failed one fails at once, naming the step it needed.
 */
const VM = "vm-dev-01";

describe(`access lifecycle on ${VM}: request, countdown, SSH terminal, expiry`, function () {
  this.timeout(120_000);
  // JIT stays "Initiating" for 2 s, as in the demo, so that the progress notification is on screen long enough to see.
  const ctx = useSimulatorSession("access-lifecycle", { simulation: { jitInitiatingSeconds: 2 } });
  const { done, needs } = stepChain();

  it("signs in and lists the VM as needing PIM", async () => {
    await signInAndFindVm(ctx(), VM, /^needs PIM$/);
    done("sign-in");
  });

  it("requests access with a justification typed into the quick input; a progress notification follows the steps; the VM turns ready", async () => {
    needs("sign-in");
    const { view, session, sim } = ctx();
    const { workbench } = session;
    const justification = `Deploy the hotfix for build #${1000 + randomBytes(2).readUInt16BE() % 9000}`;
    await view.tree.clickInlineAction(VM, menuTitle("azureJit.requestAccess"));
    await answerAccessRequest(workbench, VM, { justification, beforeSubmitJustification: async () => {
        // The progress line under the open form says what it waits for, not the finished policy read.
        await workbench.notifications.waitFor(/Waiting for your answers in the request form/, 15_000);
        await readmeScreenshot(workbench, "request-form", "request-access");
      },
    });
    // One notification for the whole flow, with its steps in it.
    const progress = await workbench.notifications.waitFor(`Requesting access to ${VM}`, 15_000);
    await workbench.screenshot("request-progress");
    assert.match((await progress.textContent()) ?? "", /Requesting access to vm-dev-01/);
    await workbench.notifications.waitFor(new RegExp(`Access to ${VM} is open until \\d{1,2}:\\d{2}`), 60_000);
    await view.waitForVmDescription(VM, /^ready · (\d+m|1h \d{2}m) left$/, 30_000);
    // What reached Azure: the PIM activation carries the justification typed in.
    const requests = await sim.control.pimRequests();
    assert.ok(
      requests.some((r) => r.scope.toLowerCase().includes("/resourcegroups/rg-vm-dev-01") && r.justification === justification),
      `no PIM request for rg-vm-dev-01 with justification "${justification}": ${JSON.stringify(requests)}`,
    );
    await workbench.screenshot("access-granted");
    done("request");
  });

  it("shows the countdown in the status bar for the grant that ends first, vm-ready's (granted outside, read from Azure)", async () => {
    needs("request");
    const { session } = ctx();
    const entry = await session.workbench.waitForStatusBarItem({ id: "azureJit.countdown" });
    // The demo's vm-ready has a JIT request opened before the session (one hour from the scenario's
    // start), so it ends before vm-dev-01's. The codicon renders as an empty span: "vm-ready 58m".
    assert.match(entry.text, /^vm-ready \d+m$/);
    assert.match(entry.ariaLabel, /Azure JIT access to vm-ready ends in .*; 1 more active/);
    await session.workbench.notifications.clearAll();
    // Its tooltip lists every running grant, with Extend and Deactivate.
    await session.workbench.hoverStatusBarItem("azureJit.countdown");
    const tooltip = await session.workbench.waitForHover("Active Azure JIT access");
    assert.match(tooltip, /vm-dev-01/);
    assert.match(tooltip, /vm-ready/);
    assert.match(tooltip, /Extend/);
    await readmeScreenshot(session.workbench, "countdown", "countdown", { keepPointer: true });
    done("countdown");
  });

  it("opens an SSH terminal through the Bastion tunnel and runs a command on the VM", async () => {
    needs("request");
    const { view, session, sim } = ctx();
    const { workbench } = session;
    await view.tree.clickContextMenu(VM, menuTitle("azureJit.openSshTerminal"));
    // The first connection asks, once, before adding the Include line to the user's SSH config.
    const consent = await workbench.dialog.waitFor(/^Add one Include line to .*\.ssh\/config\?$/, 60_000);
    assert.ok(consent.message.includes(session.dirs.home), `the dialog names another config file: ${consent.message}`);
    await workbench.screenshot("ssh-config-consent");
    await workbench.dialog.click("Add Include Line");
    await workbench.terminal.waitForTerminal(60_000);
    // ssh runs directly in the terminal: the first prompt is the VM's shell.
    await workbench.terminal.waitForText(/[$#]$/, 60_000);
    const token = randomBytes(8).toString("hex");
    await workbench.terminal.typeLine(`echo ${token} > "$AZSIM_VM_HOME/e2e-proof.txt" && echo "proof-written-on-$AZSIM_VM"`);
    await workbench.terminal.waitForText(new RegExp(`^proof-written-on-${VM}$`, "m"));
    await readmeScreenshot(workbench, "ssh-terminal", "ssh-terminal");
    // The VM side: the simulator knows each VM's home folder.
    const { homeDir } = await sim.control.vm(VM);
    assert.ok(homeDir, `GET /_sim/vms gave no homeDir for ${VM}`);
    assert.equal(fs.readFileSync(path.join(homeDir, "e2e-proof.txt"), "utf8").trim(), token);
    assert.deepEqual(await workbench.terminal.names(), [`SSH: ${VM}`]);
    // The consent was honoured: one Include of our config at the top of the user's (the session's HOME).
    assert.match(fs.readFileSync(path.join(session.dirs.home, ".ssh/config"), "utf8"), /^Include .*azure-jit-connect/m);
    done("terminal");
  });

  it("ends access when the grant expires: countdown gone, a notification, the VM needs access again", async () => {
    needs("request");
    const { view, session } = ctx();
    const { workbench } = session;
    // Past the default hour (and the role's activation, also one hour).
    await advanceClockWithDemoCommand(workbench, { hours: 2 });
    await workbench.notifications.waitFor(`Access to ${VM} has expired.`, 30_000);
    await view.waitForVmDescription(VM, /^(needs PIM|access expired)$/, 30_000);
    const deadline = Date.now() + 15_000;
    while ((await workbench.statusBarItem({ id: "azureJit.countdown" })) && Date.now() < deadline) await workbench.page.waitForTimeout(200);
    assert.equal(await workbench.statusBarItem({ id: "azureJit.countdown" }), undefined, "the countdown is still in the status bar");
    await workbench.screenshot("access-expired");
  });
});
