/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import { signInAndFindVm, stepChain, useSimulatorSession } from "../support/simSession";
import { menuTitle, paletteTitle } from "../support/commandTitles";

/**
 * A readable ssh failure, as a user meets it (issue 11, point 3): vm-ready was connected to once
 * (its host key pinned), then rebuilt from its image, so its sshd presents a new host key. The
 * next SSH terminal ends with ssh's exit 255; the extension says why in one sentence with the next
 * action and a button for it, writes the same sentence to its log, and "Forget Host Key" then lets
 * the connection through.
 */
const VM = "vm-ready";
const HOST_KEY_SENTENCE = /The host key of .vm-ready. is not the one pinned at the first connection/;

describe(`a readable ssh failure on ${VM}`, function () {
  this.timeout(180_000);
  const ctx = useSimulatorSession("ssh-failure");
  const { done, needs } = stepChain();

  it("signs in and lists the VM as ready (access granted outside the extension)", async () => {
    await signInAndFindVm(ctx(), VM, /^ready/);
    done("sign-in");
  });

  it("connects once: ssh pins the VM's host key", async () => {
    needs("sign-in");
    const { view, session } = ctx();
    const { workbench } = session;
    await view.tree.clickContextMenu(VM, menuTitle("azureJit.openSshTerminal"));
    await workbench.dialog.waitFor(/^Add one Include line to .*\.ssh\/config\?$/, 60_000);
    await workbench.dialog.click("Add Include Line");
    await workbench.terminal.waitForTerminal(60_000);
    await workbench.terminal.waitForText(/[$#]$/, 60_000);
    await workbench.terminal.typeLine("exit");
    await waitUntilNoTerminal(session.workbench);
    done("pinned");
  });

  it("after the VM is rebuilt, the failed ssh is explained in one sentence with Forget Host Key", async () => {
    needs("pinned");
    const { view, session, sim } = ctx();
    const { workbench } = session;
    const before = await sim.control.vm(VM);
    const rebuilt = await sim.control.rebuildVm(VM);
    assert.notEqual(rebuilt.hostPublicKey, before.hostPublicKey, "the rebuilt VM kept its host key");
    await workbench.notifications.clearAll();
    await view.tree.clickContextMenu(VM, menuTitle("azureJit.openSshTerminal"));
    // ssh refuses the changed key and exits 255, which closes its terminal; the extension then explains.
    const toast = await workbench.notifications.waitFor(HOST_KEY_SENTENCE, 60_000);
    const text = (await toast.textContent()) ?? "";
    assert.match(text, /Forget Host Key/, `the notification offers no Forget Host Key: ${text}`);
    assert.doesNotMatch(text, /exit code 255/i, "the notification repeats the bare exit code");
    await workbench.page.mouse.move(700, 300);
    await workbench.screenshot("ssh-failure-readable");
    done("explained");
  });

  it("Forget Host Key, then the connection goes through to the rebuilt VM", async () => {
    needs("explained");
    const { view, session } = ctx();
    const { workbench } = session;
    await workbench.notifications.clickButton(HOST_KEY_SENTENCE, "Forget Host Key");
    // Forgetting trusts whatever key comes next: the extension asks first.
    await workbench.dialog.waitFor(/^Forget the SSH host key of vm-ready\?$/, 15_000);
    await workbench.dialog.click("Forget Host Key");
    await workbench.notifications.waitFor(/^Forgot the host key of/, 30_000);
    await view.tree.clickContextMenu(VM, menuTitle("azureJit.openSshTerminal"));
    await workbench.terminal.waitForTerminal(60_000);
    await workbench.terminal.waitForText(/[$#]$/, 60_000);
    await workbench.terminal.typeLine('echo "on-$AZSIM_VM"');
    await workbench.terminal.waitForText(new RegExp(`^on-${VM}$`, "m"), 60_000);
  });

  it("the log says the same sentence, with ssh's words as evidence", async () => {
    needs("explained");
    const { workbench } = ctx().session;
    await workbench.runCommand(paletteTitle("azureJit.showLog"));
    await workbench.output.waitForVisible();
    // The output editor wraps long lines: compare with the line breaks taken out.
    const deadline = Date.now() + 30_000;
    let flat = "";
    while (Date.now() < deadline) {
      flat = (await workbench.output.text().catch(() => "")).replace(/\s+/g, " ");
      if (HOST_KEY_SENTENCE.test(flat)) break;
      await workbench.page.waitForTimeout(200);
    }
    assert.match(flat, HOST_KEY_SENTENCE);
    assert.match(flat, /ssh said: WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!\)/);
  });

  it("Check Connectivity reports the same cause when the VM is rebuilt again", async () => {
    needs("explained");
    const { view, session, sim } = ctx();
    const { workbench } = session;
    await sim.control.rebuildVm(VM);
    await view.tree.clickContextMenu(VM, menuTitle("azureJit.checkConnectivity"));
    // The report is a Markdown preview: a webview, read in whichever frame shows it.
    const deadline = Date.now() + 60_000;
    let report = "";
    while (!HOST_KEY_SENTENCE.test(report) && Date.now() < deadline) {
      for (const frame of workbench.page.frames()) {
        const text = await frame.locator("body").innerText({ timeout: 1_000 }).catch(() => "");
        if (/SSH sign-in/.test(text)) report = text.replace(/\s+/g, " ");
      }
      if (!HOST_KEY_SENTENCE.test(report)) await workbench.page.waitForTimeout(500);
    }
    assert.match(report, HOST_KEY_SENTENCE, `the connectivity report does not name the cause: ${report.slice(0, 800)}`);
    await workbench.screenshot("ssh-failure-connectivity-report");
  });
});

type Workbench = ReturnType<ReturnType<typeof useSimulatorSession>>["session"]["workbench"];

async function waitUntilNoTerminal(workbench: Workbench, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await workbench.terminal.names()).length > 0) {
    if (Date.now() > deadline) throw new Error(`a terminal is still open: ${(await workbench.terminal.names()).join(", ")}`);
    await workbench.page.waitForTimeout(200);
  }
}
