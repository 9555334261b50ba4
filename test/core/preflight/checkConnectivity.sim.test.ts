import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AzureContext } from "../../../src/core/azure/azureContext";
import { createSecretReader } from "../../../src/core/azure/secretReader";
import { type Inventory, loadInventory } from "../../../src/core/inventory/loadInventory";
import { checkConnectivity, type PreflightItem } from "../../../src/core/preflight/checkConnectivity";
import { findSshClient } from "../../../src/core/preflight/sshClient";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { signedInContext } from "../access/support/simContext";

describe("checkConnectivity (simulator)", () => {
  let t: TestSimulator;
  let ctx: AzureContext;
  let inv: Inventory;
  const run = async (name: string, findSsh: () => Promise<string | undefined> = async () => "OpenSSH_9.6p1"): Promise<Map<string, PreflightItem>> => {
    const vm = inv.vms.find((v) => v.name === name) ?? assert.fail(name);
    const report = await checkConnectivity(vm, { ctx, readSecret: createSecretReader(ctx), findSsh });
    return new Map(report.map((i) => [i.check, i]));
  };

  before(async () => {
    t = await startTestSimulator("demo", { startVms: false });
    ctx = await signedInContext(t);
    inv = await loadInventory(ctx);
  });
  after(async () => {
    await t?.stop();
  });

  it("vm-ready: every check passes, in a fixed order", async () => {
    const vm = inv.vms.find((v) => v.name === "vm-ready") ?? assert.fail();
    const report = await checkConnectivity(vm, { ctx, readSecret: createSecretReader(ctx), findSsh: async () => "OpenSSH_9.6p1" });
    assert.deepEqual(report.map((i) => i.check), ["signedIn", "clock", "os", "power", "role", "jitPolicy", "jitWindow", "bastion", "credentialSource", "credentialReadable", "sshClient"]);
    assert.deepEqual(report.filter((i) => i.status !== "ok").map((i) => `${i.check}: ${i.detail}`), []);
    assert.match(report.find((i) => i.check === "signedIn")?.detail ?? "", /alice@contoso\.example/);
  });

  it("vm-dev-01: access still to request, reported as warnings with the fix", async () => {
    const r = await run("vm-dev-01");
    assert.equal(r.get("role")?.status, "warn");
    assert.equal(r.get("jitWindow")?.status, "warn");
    assert.equal(r.get("jitWindow")?.fix, "Request access.");
    assert.equal(r.get("credentialReadable")?.status, "ok", "Key Vault access is standing, not PIM");
  });

  it("names what fails, with a code and a fix", async () => {
    const stopped = await run("vm-stopped");
    assert.equal(stopped.get("power")?.status, "fail");
    assert.equal(stopped.get("power")?.code, "VmNotRunning");
    assert.match(stopped.get("power")?.fix ?? "", /Start the VM/);

    const forbidden = await run("vm-forbidden");
    assert.equal(forbidden.get("credentialReadable")?.status, "fail");
    assert.equal(forbidden.get("credentialReadable")?.code, "SecretForbidden");

    const nosecret = await run("vm-nosecret");
    assert.equal(nosecret.get("credentialSource")?.status, "warn");
    assert.equal(nosecret.get("credentialReadable")?.status, "skipped");

    const win = await run("win-01");
    assert.equal(win.get("os")?.code, "VmIsWindows");
    assert.equal(win.get("jitPolicy")?.code, "JitPortNotAllowed");
    assert.equal(win.get("jitWindow")?.status, "skipped");

    assert.equal((await run("vm-legacy")).get("bastion")?.code, "BastionSkuUnsupported");
    assert.equal((await run("vm-locked")).get("bastion")?.code, "BastionTunnelingDisabled");
    assert.equal((await run("vm-nojit")).get("jitPolicy")?.code, "NoJitPolicy");
    const nossh = await run("vm-ready", async () => undefined);
    assert.equal(nossh.get("sshClient")?.code, "SshClientMissing");
  });

  it("finds a real ssh client, and reports none for a missing command", async () => {
    assert.equal(await findSshClient("definitely-not-ssh-xyz"), undefined);
    const real = await findSshClient();
    if (real !== undefined) assert.match(real, /OpenSSH|ssh/i);
  });
});
