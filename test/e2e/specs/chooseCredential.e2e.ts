/// <reference types="mocha" />
import * as assert from "node:assert/strict";
import { escapeRegExp } from "../harness/pageObjects/text";
import { type Workbench } from "../harness/pageObjects/workbench";
import { paletteTitle } from "../support/commandTitles";
import { signInAndFindVm, stepChain, useSimulatorSession } from "../support/simSession";

/**
 * Choose Credential as a user meets it (issue 11, point 5): on a VM without the
 * azure-jit-connect.secret tag, the command lists the Key Vaults the user can see, then the secrets
 * of the chosen vault (names only), then asks for the user; the VM's row then no longer says
 * "no credential" and its tooltip names the chosen secret. Nothing but list calls reached Key Vault.
 */
const VM = "vm-nosecret";
const VAULT = "kv-contoso";
const SECRET = "vm-nosecret-ssh-key";
const USER = "azureuser";

async function waitForStep(workbench: Workbench, step: number, timeout = 30_000): Promise<void> {
  const title = new RegExp(`^\\s*Credential for ${escapeRegExp(VM)}\\b.*\\(${step}/3\\)\\s*$`);
  await workbench.quickInput.widget.locator(".quick-input-title", { hasText: title }).waitFor({ state: "visible", timeout });
  await workbench.quickInput.waitForOpen(timeout);
}

describe(`Choose Credential on ${VM} (no secret tag)`, function () {
  this.timeout(150_000);
  const ctx = useSimulatorSession("choose-credential");
  const { done, needs } = stepChain();

  it("signs in and shows the VM without a credential", async () => {
    await signInAndFindVm(ctx(), VM, /· no credential$/);
    done("sign-in");
  });

  it("offers the vaults the user can see, then the vault's secrets, then the user; the VM then shows the chosen secret", async () => {
    needs("sign-in");
    const { view, session, sim } = ctx();
    const { workbench } = session;
    const qi = workbench.quickInput;
    await workbench.notifications.clearAll();
    const since = await sim.control.lastAuditSeq();

    await workbench.runCommand(paletteTitle("azureJit.chooseCredential"));
    await qi.pick(VM);

    // Step 1: the vaults of the VM's subscription alice may read (Reader on Contoso Dev), then typing.
    await waitForStep(workbench, 1, 60_000);
    await qi.widget.locator(".monaco-list-row", { hasText: VAULT }).waitFor({ state: "visible", timeout: 60_000 });
    const vaults = (await qi.items()).map((i) => i.label);
    assert.ok(vaults.includes(VAULT) && vaults.includes("kv-restricted"), `vaults offered: ${vaults.join(", ")}`);
    assert.ok(!vaults.includes("kv-fabrikam"), "a vault of another subscription was offered");
    assert.equal(vaults.at(-1), "Type a secret URI…", `the typed URI is the last choice: ${vaults.join(", ")}`);
    await qi.pick(VAULT);

    // Step 2: the secrets of kv-contoso, names only.
    await waitForStep(workbench, 2);
    await qi.widget.locator(".monaco-list-row", { hasText: SECRET }).waitFor({ state: "visible", timeout: 60_000 });
    await workbench.screenshot("choose-credential");
    await qi.pick(SECRET);

    // Step 3: the user name.
    await waitForStep(workbench, 3);
    await qi.submit(USER);

    await workbench.notifications.waitFor(new RegExp(`${escapeRegExp(VM)} will sign in as ${USER}`), 30_000);
    await view.waitForVmDescription(VM, /^needs PIM$/, 60_000);
    const tooltip = await view.vmTooltip(VM, /Credential:/);
    const plain = tooltip.replace(/\\(.)/g, "$1");
    assert.match(plain, new RegExp(`Credential: secret ${escapeRegExp(SECRET)} in vault ${VAULT} \\(your choice\\), user ${USER}\\.`));
    assert.doesNotMatch(plain, /No SSH credential source/);

    const vaultCalls = (await sim.control.audit(since)).filter((e) => e.service === "keyvault");
    assert.ok(vaultCalls.some((e) => e.method === "GET" && /^\/secrets(\?|$)/.test(e.path) && e.status === 200), "the secrets were listed");
    assert.deepEqual(
      vaultCalls.filter((e) => !/^\/secrets(\?|$)/.test(e.path)).map((e) => e.path),
      [],
      "choosing read no secret value (only the list call reached Key Vault)",
    );
  });
});
