/** The control API: health, settings, state, clock, device codes, faults, audit (no secrets), VM list. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestSimulator, type ControlApiError, type TestSimulator } from "../support/simulator";
import { loopbackGet } from "../support/loopbackHttps";

describe("control API", () => {
  let ts: TestSimulator;
  before(async () => {
    ts = await startTestSimulator("demo", { startVms: false });
  });
  after(() => ts.stop());

  it("reports health, settings and state", async () => {
    assert.equal((await ts.control.health()).status, "ok");
    const settings = await ts.control.call<Record<string, unknown>>("GET", "/_sim/settings");
    assert.equal(settings["azureJit.cloud"], "Custom");
    assert.equal(settings["azureJit.auth.clientId"], "04b07795-8ddb-461a-bbee-02f9e1bf7b46");
    assert.equal((settings["azureJit.customCloud"] as { keyVaultDnsSuffix: string }).keyVaultDnsSuffix, ".vault.localhost");
    assert.equal(settings["azureJit.demo.simulatorControlUrl"], ts.settings.controlUrl);
    const state = await ts.control.state();
    assert.equal(state.scenario, "demo");
    assert.equal((state.vms as unknown[]).length, 14);
  });

  it("moves the clock forward only, and the Date header follows it", async () => {
    const before = await ts.control.now();
    const after = await ts.control.advanceClock(86400);
    assert.ok(after.getTime() - before.getTime() >= 86400_000);
    const res = await fetch(`${ts.settings.resourceManagerEndpoint}/subscriptions?api-version=2022-12-01`);
    const date = new Date(res.headers.get("date")!);
    assert.ok(Math.abs(date.getTime() - after.getTime()) < 60_000, "ARM's Date is the simulated time");
    await assert.rejects(ts.control.advanceClock(-5), (e: ControlApiError) => e.status === 400);
  });

  it("validates input: unknown device code, unknown VM, bad power state, bad fault", async () => {
    await assert.rejects(ts.control.approveDeviceCode({ userCode: "NOPE", upn: "alice@contoso.example" }), (e: ControlApiError) => e.status === 404);
    await assert.rejects(ts.control.setPower("vm-unknown", "running"), (e: ControlApiError) => e.status === 404);
    await assert.rejects(ts.control.call("POST", "/_sim/vms/vm-ready/power", { state: "on" }), (e: ControlApiError) => e.status === 400);
    await assert.rejects(ts.control.addFault({ match: { pathRegex: "(" }, status: 500 }), (e: ControlApiError) => e.status === 400);
    await assert.rejects(ts.control.approvePim("nope"), (e: ControlApiError) => e.status === 404);
    await assert.rejects(ts.control.rebuildVm("vm-unknown"), (e: ControlApiError) => e.status === 404);
    // Without sshd no VM runs a host to rebuild: said so, not pretended.
    await assert.rejects(ts.control.rebuildVm("vm-ready"), (e: ControlApiError) => e.status === 409);
  });

  it("lists VMs; without sshd they report not running", async () => {
    const vms = await ts.control.vms();
    const ready = vms.find((v) => v.name === "vm-ready")!;
    assert.equal(ready.running, false);
    assert.equal(ready.credential, "sshKey");
    const off = await ts.control.setPower("vm-ready", "deallocated");
    assert.equal(off.power, "deallocated");
  });

  it("keeps an audit log without secrets", async () => {
    const cred = await ts.signInWithDeviceCode("alice@contoso.example");
    const token = await cred.getToken(ts.settings.armScope);
    const kv = ts.sim.scenario.vaults[0]!;
    await fetch(`${ts.settings.resourceManagerEndpoint}/subscriptions?api-version=2022-12-01&access_token=${token!.token}`, { headers: { authorization: `Bearer ${token!.token}` } });
    await loopbackGet(`${kv.uri}/secrets/vm-ready-ssh-key?api-version=2025-07-01`, { authorization: `Bearer ${(await cred.getToken(`${ts.settings.keyVaultAudience}/.default`))!.token}` });
    const entries = await ts.control.audit();
    const text = JSON.stringify(entries);
    assert.ok(!text.includes(token!.token), "no access token in the audit log");
    assert.ok(!text.includes("PRIVATE KEY"), "no secret value");
    assert.ok(entries.some((e) => e.service === "keyvault" && e.principal === "alice@contoso.example" && e.status === 200));
    assert.ok(entries.some((e) => e.service === "login" && e.principal === "alice@contoso.example"));
    const last = entries.at(-1)!.seq;
    assert.equal((await ts.control.audit(last)).filter((e) => e.seq <= last).length, 0, "since= filters");
  });

  it("faults match by service, method and path, and can be listed and removed", async () => {
    const id = await ts.control.addFault({ match: { service: "login", method: "POST", pathRegex: "/devicecode$" }, status: 503, retryAfterSeconds: 7 });
    const res = await fetch(`${ts.settings.authorityHost}/organizations/oauth2/v2.0/devicecode`, { method: "POST", body: "client_id=04b07795-8ddb-461a-bbee-02f9e1bf7b46&scope=x" });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "7");
    const listed = await ts.control.call<{ value: { id: string }[] }>("GET", "/_sim/faults");
    assert.deepEqual(listed.value.map((f) => f.id), [id]);
    await ts.control.clearFaults(id);
    const ok = await fetch(`${ts.settings.authorityHost}/organizations/oauth2/v2.0/devicecode`, { method: "POST", body: `client_id=04b07795-8ddb-461a-bbee-02f9e1bf7b46&scope=${encodeURIComponent(ts.settings.armScope)}` });
    assert.equal(ok.status, 200);
  });
});
