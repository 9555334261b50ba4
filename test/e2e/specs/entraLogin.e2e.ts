/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import { answerAccessRequest } from "../support/accessRequest";
import { menuTitle } from "../support/commandTitles";
import { signInAndFindVm, stepChain, useSimulatorSession } from "../support/simSession";

/**
 * Microsoft Entra ID login in the real workbench, on the `entra` scenario: vm-entra has no Key
 * Vault secret and says "Entra ID login" in the tree; Request access (one justification), then an
 * SSH terminal logs in as alice's UPN with a certificate (the VM activates nothing itself: the login
 * role was activated by Connect next to the access grant).
 */
const VM = "vm-entra";

describe(`Entra ID login on ${VM}: the tree says so, and the SSH terminal logs in as the UPN`, function () {
  this.timeout(150_000);
  const ctx = useSimulatorSession("entra-login", { scenario: "entra" });
  const { done, needs } = stepChain();

  it("signs in and lists the VM as needing PIM, with Entra ID login and no credential warning", async () => {
    await signInAndFindVm(ctx(), VM, /^needs PIM · Entra ID login$/);
    done("sign-in");
  });

  it("requests access, opens an SSH terminal and runs a command as alice@contoso.example", async () => {
    needs("sign-in");
    const { view, session, sim } = ctx();
    const { workbench } = session;
    await view.tree.clickInlineAction(VM, menuTitle("azureJit.requestAccess"));
    await answerAccessRequest(workbench, VM, { justification: "Entra ID login e2e" });
    await workbench.notifications.waitFor(new RegExp(`Access to ${VM} is open until \\d{1,2}:\\d{2}`), 60_000);
    await view.tree.clickContextMenu(VM, menuTitle("azureJit.openSshTerminal"));
    const consent = await workbench.dialog.waitFor(/^Add one Include line to .*\.ssh\/config\?$/, 60_000);
    assert.ok(consent.message.length > 0);
    await workbench.dialog.click("Add Include Line");
    await workbench.terminal.waitForTerminal(60_000);
    await workbench.terminal.waitForText(/[$#]\s*$/, 60_000);
    await workbench.terminal.typeLine('echo "login-as-$(id -un)-on-$AZSIM_VM"');
    await workbench.terminal.waitForText(new RegExp(`^login-as-alice@contoso\\.example-on-${VM}$`, "m"), 30_000);
    await workbench.screenshot("entra-ssh-terminal");
    const roles = (await sim.control.pimRequests()).map((r) => r.role).sort();
    assert.deepEqual(roles, ["JIT VM Operator", "Virtual Machine User Login"]);
    assert.equal((await sim.control.audit()).filter((a) => a.service === "keyvault").length, 0, "no Key Vault secret was read");
  });
});
