/** Defender for Cloud JIT through SecurityCenter 5 (api 2020-01-01): lists, CRUD, initiate validation and RBAC, status over time. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClientSecretCredential, type DeviceCodeCredential } from "@azure/identity";
import type { RestError } from "@azure/core-rest-pipeline";
import type { SecurityCenter } from "@azure/arm-security";
import { startTestSimulator, type TestSimulator } from "../support/simulator";
import { clients } from "./sdkClients";

const ALICE = "alice@contoso.example";
const INITIATING_SECONDS = 20;

describe("Defender for Cloud JIT", () => {
  let ts: TestSimulator;
  let alice: DeviceCodeCredential;
  let sec: SecurityCenter;
  let dev: string;
  const vmId = (name: string): string => `/subscriptions/${dev}/resourceGroups/rg-${name}/providers/Microsoft.Compute/virtualMachines/${name}`;
  let simNow = Date.now();
  /** Times on the simulated clock (tests move it). */
  const inHours = (h: number): Date => new Date(simNow + h * 3600_000);
  const syncClock = async (): Promise<void> => {
    simNow = (await ts.control.now()).getTime();
  };
  const rejectsWith = async (p: Promise<unknown>, status: number, code: string, message?: RegExp): Promise<void> => {
    await assert.rejects(p, (e: RestError) => {
      assert.equal(e.statusCode, status, e.message);
      assert.equal(e.code, code, e.message);
      if (message) assert.match(e.message, message);
      return true;
    });
  };

  before(async () => {
    ts = await startTestSimulator("demo", {
      startVms: false,
      simulation: { jitInitiatingSeconds: INITIATING_SECONDS, tokenLifetimeSeconds: 7 * 86400 },
      edit: (s) => s.roleAssignments!.push({ principal: "ci-automation", role: "Contributor", scope: "/subscriptions/Contoso Dev/resourceGroups/rg-vm-ready" }),
    });
    alice = await ts.signInWithDeviceCode(ALICE);
    dev = ts.sim.scenario.subscriptions.find((s) => s.name === "Contoso Dev")!.id;
    sec = clients(ts, alice, dev).security;
  });
  after(() => ts.stop());

  it("lists policies by subscription, region, resource group, and gets one with its requests", async () => {
    const all = [];
    for await (const p of sec.jitNetworkAccessPolicies.list()) all.push(p);
    assert.equal(all.length, 11, "Contoso Dev VMs except vm-nojit");
    const region = [];
    for await (const p of sec.jitNetworkAccessPolicies.listByRegion("westeurope")) region.push(p);
    assert.equal(region.length, 11);
    const none = [];
    for await (const p of sec.jitNetworkAccessPolicies.listByRegion("eastus")) none.push(p);
    assert.equal(none.length, 0);
    const rg = [];
    for await (const p of sec.jitNetworkAccessPolicies.listByResourceGroup("rg-vm-ready")) rg.push(p);
    const rgRegion = [];
    for await (const p of sec.jitNetworkAccessPolicies.listByResourceGroupAndRegion("rg-vm-ready", "westeurope")) rgRegion.push(p);
    assert.equal(rg.length, 1);
    assert.equal(rgRegion.length, 1);
    const ready = await sec.jitNetworkAccessPolicies.get("rg-vm-ready", "westeurope", "default");
    assert.equal(ready.virtualMachines[0]!.ports[0]!.maxRequestAccessDuration, "PT3H");
    const port = ready.requests?.[0]?.virtualMachines[0]?.ports[0];
    assert.equal(port?.status, "Initiated");
    assert.equal(port?.statusReason, "UserRequested");
    await rejectsWith(sec.jitNetworkAccessPolicies.get("rg-vm-nojit", "westeurope", "default"), 404, "ResourceNotFound");
  });

  it("initiate is refused without the role (AuthorizationFailed at the VM scope), allowed with it", async () => {
    const request = { virtualMachines: [{ id: vmId("vm-dev-01"), ports: [{ number: 22, allowedSourceAddressPrefix: "10.0.1.0/26", endTimeUtc: inHours(1) }] }], justification: "debug" };
    await rejectsWith(sec.jitNetworkAccessPolicies.initiate("rg-vm-dev-01", "westeurope", "default", request), 403, "AuthorizationFailed", /initiate\/action' over scope '.*vm-dev-01'/);
    // vm-ready's role is pre-activated: initiate works there.
    const ok = await sec.jitNetworkAccessPolicies.initiate("rg-vm-ready", "westeurope", "default", {
      virtualMachines: [{ id: vmId("vm-ready"), ports: [{ number: 22, allowedSourceAddressPrefix: "10.0.1.0/26", endTimeUtc: inHours(2) }] }],
      justification: "second request",
    });
    assert.equal(ok.requestor, ALICE);
    assert.equal(ok.virtualMachines[0]!.ports[0]!.status, "Initiating");
  });

  it("Initiating turns Initiated after the delay; the older request shows NewerRequestInitiated; expiry revokes", async () => {
    const get = () => sec.jitNetworkAccessPolicies.get("rg-vm-ready", "westeurope", "default");
    const statusOf = async (i: number) => (await get()).requests![i]!.virtualMachines[0]!.ports[0]!;
    assert.equal((await statusOf(1)).status, "Initiating");
    await ts.control.advanceClock(INITIATING_SECONDS + 1);
    assert.equal((await statusOf(1)).status, "Initiated");
    assert.deepEqual({ ...(await statusOf(0)) }.statusReason, "NewerRequestInitiated");
    await ts.control.advanceClock(2 * 3600);
    const expired = await statusOf(1);
    assert.deepEqual([expired.status, expired.statusReason], ["Revoked", "Expired"]);
  });

  it("validates the request: VM in policy, port in policy, end time within maxRequestAccessDuration, source prefix allowed", async () => {
    await syncClock();
    const init = (ports: object[], id = vmId("vm-ready")) =>
      sec.jitNetworkAccessPolicies.initiate("rg-vm-ready", "westeurope", "default", { virtualMachines: [{ id, ports: ports as never }] });
    await rejectsWith(init([{ number: 22, endTimeUtc: inHours(1) }], vmId("vm-dev-01")), 403, "AuthorizationFailed");
    await rejectsWith(init([{ number: 3389, endTimeUtc: inHours(1) }]), 400, "BadRequest", /Port 3389 .* not configured/);
    await rejectsWith(init([{ number: 22, endTimeUtc: inHours(4) }]), 400, "BadRequest", /exceeds the maximum request access duration PT3H/);
    await rejectsWith(init([{ number: 22, endTimeUtc: new Date(simNow - 60_000) }]), 400, "BadRequest", /in the past/);
    const ok = await init([{ number: 22, endTimeUtc: inHours(3) }]);
    assert.equal(ok.virtualMachines[0]!.ports[0]!.allowedSourceAddressPrefix, "127.0.0.1", "no prefix given: the caller's own address");
  });

  it("initiate takes exactly one of endTimeUtc and duration (400 InvalidInitiateInput, checked before the policy lookup); an unknown policy is 404 PolicyNotFound", async () => {
    await syncClock();
    const raw = clients(ts, alice, dev).raw;
    const path = (rg: string) => `/subscriptions/${dev}/resourceGroups/${rg}/providers/Microsoft.Security/locations/westeurope/jitNetworkAccessPolicies/default/initiate?api-version=2020-01-01`;
    const port = (extra: object) => ({ virtualMachines: [{ id: vmId("vm-ready"), ports: [{ number: 22, allowedSourceAddressPrefix: "10.0.1.0/26", ...extra }] }] });
    const errorOf = (r: { json: unknown }) => (r.json as { error: { code: string; message: string } }).error;
    for (const body of [port({}), port({ endTimeUtc: inHours(1).toISOString(), duration: "PT1H" })]) {
      for (const rg of ["rg-vm-ready", "rg-vm-nojit"]) {
        const r = await raw("POST", path(rg), body);
        assert.equal(r.status, 400, rg);
        assert.deepEqual(errorOf(r), { code: "InvalidInitiateInput", message: "Only one of fields 'EndTimeUtc' and 'Duration' can be set." });
      }
    }
    const missing = await raw("POST", path("rg-vm-nojit"), port({ duration: "PT1H" }));
    assert.equal(missing.status, 404);
    assert.equal(errorOf(missing).code, "PolicyNotFound");
    const byDuration = await raw("POST", path("rg-vm-ready"), port({ duration: "PT1H" }));
    assert.equal(byDuration.status, 202, JSON.stringify(byDuration.json));
    const end = Date.parse((byDuration.json as { virtualMachines: { ports: { endTimeUtc: string }[] }[] }).virtualMachines[0]!.ports[0]!.endTimeUtc);
    assert.ok(Math.abs(end - (simNow + 3600_000)) < 60_000, "duration counts from now");
    const tooLong = await raw("POST", path("rg-vm-ready"), port({ duration: "PT4H" }));
    assert.equal(tooLong.status, 400);
    assert.match(errorOf(tooLong).message, /exceeds the maximum request access duration PT3H/);
  });

  it("createOrUpdate and delete need write/delete permission; a narrowed policy refuses other source prefixes", async () => {
    await syncClock();
    const policy = (prefix: string) => ({
      kind: "Basic",
      location: "westeurope",
      virtualMachines: [{ id: vmId("vm-ready"), ports: [{ number: 22, protocol: "TCP" as const, allowedSourceAddressPrefix: prefix, maxRequestAccessDuration: "PT1H" }] }],
    });
    await rejectsWith(sec.jitNetworkAccessPolicies.createOrUpdate("rg-vm-ready", "westeurope", "default", policy("10.0.1.0/24")), 403, "AuthorizationFailed", /write/);
    // ci-automation has Contributor on rg-vm-ready in this suite: it administers JIT there.
    const contoso = ts.sim.scenario.tenants[0]!;
    const sp = ts.sim.scenario.servicePrincipals.find((x) => x.displayName === "ci-automation")!;
    const admin = clients(ts, new ClientSecretCredential(contoso.id, sp.appId, sp.secret, { authorityHost: ts.settings.authorityHost, disableInstanceDiscovery: true }), dev).security;
    const updated = await admin.jitNetworkAccessPolicies.createOrUpdate("rg-vm-ready", "westeurope", "default", policy("10.0.1.0/24"));
    assert.equal(updated.virtualMachines[0]!.ports[0]!.allowedSourceAddressPrefix, "10.0.1.0/24");
    assert.ok((updated.requests ?? []).length >= 2, "requests survive a policy update");
    const init = (prefix: string) =>
      sec.jitNetworkAccessPolicies.initiate("rg-vm-ready", "westeurope", "default", { virtualMachines: [{ id: vmId("vm-ready"), ports: [{ number: 22, allowedSourceAddressPrefix: prefix, endTimeUtc: inHours(0.5) }] }] });
    await rejectsWith(init("10.9.0.0/24"), 400, "BadRequest", /not allowed by the policy/);
    await rejectsWith(init("10.0.0.0/16"), 400, "BadRequest", /not allowed by the policy/);
    // Verbatim match, not containment: a range inside the allowed /24 is refused (MicrosoftDocs/azure-docs#53026).
    await rejectsWith(init("10.0.1.0/26"), 400, "BadRequest", /not allowed by the policy/);
    assert.equal((await init("10.0.1.0/24")).virtualMachines[0]!.ports[0]!.allowedSourceAddressPrefix, "10.0.1.0/24");
    await rejectsWith(
      admin.jitNetworkAccessPolicies.createOrUpdate("rg-vm-ready", "westeurope", "default", { kind: "Basic", virtualMachines: [{ id: vmId("vm-ready"), ports: [{ number: 22, protocol: "TCP", maxRequestAccessDuration: "PT2M" }] }] }),
      400,
      "BadRequest",
      /between 5 minutes and 1 day/,
    );
    await rejectsWith(
      admin.jitNetworkAccessPolicies.createOrUpdate("rg-vm-ready", "westeurope", "default", { kind: "Basic", virtualMachines: [{ id: vmId("vm-ready"), ports: [{ number: 22, protocol: "TCP", maxRequestAccessDuration: "P2D" }] }] }),
      400,
      "BadRequest",
      /between 5 minutes and 1 day/,
    );
    await rejectsWith(admin.jitNetworkAccessPolicies.createOrUpdate("rg-vm-ready", "westeurope", "default", { kind: "Basic", virtualMachines: [{ id: vmId("vm-dev-01"), ports: [{ number: 22, protocol: "TCP", maxRequestAccessDuration: "PT1H" }] }] }), 400, "BadRequest", /own resource group/);
    await rejectsWith(sec.jitNetworkAccessPolicies.delete("rg-vm-ready", "westeurope", "default"), 403, "AuthorizationFailed", /delete/);
    await admin.jitNetworkAccessPolicies.delete("rg-vm-ready", "westeurope", "default");
    await rejectsWith(sec.jitNetworkAccessPolicies.get("rg-vm-ready", "westeurope", "default"), 404, "ResourceNotFound");
    await admin.jitNetworkAccessPolicies.delete("rg-vm-ready", "westeurope", "default");
  });
});
