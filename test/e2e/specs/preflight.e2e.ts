/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import { signInAndFindVm, stepChain, useSimulatorSession } from "../support/simSession";
import { privilegedRequests } from "../../support/controlClient";

/**
 * Preflight before privilege, as a user meets it (issue 11, point 2): Connect on a VM whose Key
 * Vault secret the eligible role will not make readable stops with a notification naming the cause
 * and the fix, before any request form, and the simulator's audit log shows no PIM activation and
 * no JIT request.
 */
const VM = "vm-forbidden";

describe(`preflight before privilege on ${VM}`, function () {
  this.timeout(120_000);
  const ctx = useSimulatorSession("preflight");
  const { done, needs } = stepChain();

  it("signs in and lists the VM as needing PIM", async () => {
    await signInAndFindVm(ctx(), VM, /^needs PIM/);
    done("sign-in");
  });

  it("Connect stops before any request: the secret will not be readable, and nothing reached PIM or JIT", async () => {
    needs("sign-in");
    const { view, session, sim } = ctx();
    const { workbench } = session;
    await workbench.notifications.clearAll();
    const since = await sim.control.lastAuditSeq();
    await view.tree.click(VM);
    await workbench.page.keyboard.press("Enter");
    const toast = await workbench.notifications.waitFor(/will not be readable/, 60_000);
    const text = (await toast.textContent()) ?? "";
    assert.match(text, /vm-forbidden-ssh-key|kv-restricted/, `the notification names neither the secret nor the vault: ${text}`);
    assert.equal(await workbench.quickInput.isOpen(), false, "a request form opened");
    await workbench.screenshot("preflight-refusal");
    assert.deepEqual(privilegedRequests(await sim.control.audit(since)), [], "a PIM or JIT request reached the simulator after the refusal");
    assert.deepEqual((await sim.control.pimRequests()).filter((r) => r.scope.toLowerCase().includes("rg-vm-forbidden")), []);
  });
});
