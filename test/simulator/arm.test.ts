/** ARM conformance through the official SDK clients: subscriptions, compute (incl. the start LRO), network, RBAC, quirks, paging, faults, CAE. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { DeviceCodeCredential } from "@azure/identity";
import type { RestError } from "@azure/core-rest-pipeline";
import { startTestSimulator, type TestSimulator } from "../support/simulator";
import { clients, sendArm } from "./sdkClients";

const ALICE = "alice@contoso.example";

describe("ARM", () => {
  let ts: TestSimulator;
  let alice: DeviceCodeCredential;
  let dev: string;
  let ds: string;
  let fabrikam: string;
  before(async () => {
    ts = await startTestSimulator("demo", { startVms: false, simulation: { armPageSize: 5, vmStartSeconds: 1 } });
    alice = await ts.signInWithDeviceCode(ALICE);
    const sub = (n: string): string => ts.sim.scenario.subscriptions.find((s) => s.name === n)!.id;
    dev = sub("Contoso Dev");
    ds = sub("Contoso Data Science");
    fabrikam = sub("Fabrikam Research");
  });
  after(() => ts.stop());

  it("lists the caller's subscriptions and tenants (Microsoft.Resources)", async () => {
    const subs = await clients(ts, alice).raw("GET", "/subscriptions?api-version=2022-12-01");
    assert.equal(subs.status, 200);
    const value = (subs.json as { value: { subscriptionId: string; displayName: string; tenantId: string }[] }).value;
    assert.deepEqual(value.map((s) => s.displayName).sort(), ["Contoso Data Science", "Contoso Dev"], "only the token's tenant");
    const tenants = (await clients(ts, alice).raw("GET", "/tenants?api-version=2022-12-01")).json as { value: { displayName: string }[] };
    assert.deepEqual(tenants.value.map((t) => t.displayName).sort(), ["Contoso", "Fabrikam"], "home and guest tenants");
    const one = await clients(ts, alice).raw("GET", `/subscriptions/${dev}?api-version=2022-12-01`);
    assert.equal((one.json as { displayName: string }).displayName, "Contoso Dev");
  });

  it("lists VMs across pages (nextLink), with statusOnly power states", async () => {
    const c = clients(ts, alice, dev).compute;
    const all = [];
    for await (const vm of c.virtualMachines.listAll({ statusOnly: "true" })) all.push(vm);
    assert.equal(all.length, 12, "all Contoso Dev VMs over pages of 5");
    const stopped = all.find((v) => v.name === "vm-stopped")!;
    assert.ok(stopped.instanceView?.statuses?.some((s) => s.code === "PowerState/deallocated"));
    const inRg = [];
    for await (const vm of c.virtualMachines.list("rg-vm-ready")) inRg.push(vm.name);
    assert.deepEqual(inRg, ["vm-ready"]);
  });

  it("gets a VM with $expand=instanceView, and its instanceView", async () => {
    const c = clients(ts, alice, dev).compute;
    const vm = await c.virtualMachines.get("rg-vm-dev-01", "vm-dev-01", { expand: "instanceView" });
    assert.equal(vm.storageProfile?.osDisk?.osType, "Linux");
    assert.ok(vm.networkProfile?.networkInterfaces?.[0]?.id?.endsWith("/networkInterfaces/vm-dev-01-nic"));
    assert.ok(vm.tags?.["azure-jit-connect.secret"]?.startsWith("https://kv-contoso.vault.localhost:"));
    assert.ok(vm.instanceView?.statuses?.some((s) => s.code === "PowerState/running"));
    const iv = await c.virtualMachines.instanceView("rg-vm-dev-01", "vm-dev-01");
    assert.ok(iv.statuses?.some((s) => s.code === "PowerState/running"));
    await assert.rejects(c.virtualMachines.get("rg-vm-dev-01", "no-such-vm"), (e: RestError) => e.statusCode === 404 && e.code === "ResourceNotFound");
  });

  it("starts a VM through the LRO protocol (arm-compute 24's poller completes) and needs start/action", async () => {
    const c = clients(ts, alice, dev).compute;
    // Reader alone cannot start; the JIT VM Operator role (PIM) can. vm-ready's role is pre-activated.
    await assert.rejects(c.virtualMachines.start("rg-vm-stopped", "vm-stopped"), (e: RestError) => e.statusCode === 403 && e.code === "AuthorizationFailed");
    await ts.control.setPower("vm-ready", "deallocated");
    const poller = c.virtualMachines.start("rg-vm-ready", "vm-ready");
    await poller.pollUntilDone();
    const vm = await c.virtualMachines.get("rg-vm-ready", "vm-ready", { expand: "instanceView" });
    assert.ok(vm.instanceView?.statuses?.some((s) => s.code === "PowerState/running"));
    const polls = (await ts.control.audit()).filter((a) => a.path.includes("/providers/Microsoft.Compute/locations/"));
    assert.ok(polls.length >= 1, "the poller followed Azure-AsyncOperation/Location");
  });

  it("reads NICs, VNets with subnets and peerings, and Bastion hosts with sku/enableTunneling/dnsName", async () => {
    const n = clients(ts, alice, dev).network;
    const nic = await n.networkInterfaces.get("rg-vm-dev-01", "vm-dev-01-nic");
    assert.equal(nic.ipConfigurations?.[0]?.privateIPAddress, "10.1.0.5");
    assert.ok(nic.ipConfigurations?.[0]?.subnet?.id?.endsWith("/virtualNetworks/spoke-dev/subnets/default"));
    const hub = await n.virtualNetworks.get("rg-network", "hub-vnet");
    assert.deepEqual(hub.subnets?.map((s) => s.name), ["AzureBastionSubnet", "shared"]);
    assert.equal(hub.virtualNetworkPeerings?.length, 2);
    assert.equal(hub.virtualNetworkPeerings?.[0]?.peeringState, "Connected");
    const bastions = [];
    for await (const b of n.bastionHosts.list()) bastions.push(b);
    const hubBastion = bastions.find((b) => b.name === "bas-hub")!;
    assert.equal(hubBastion.sku?.name, "Standard");
    assert.equal(hubBastion.enableTunneling, true);
    assert.match(hubBastion.dnsName ?? "", /^localhost:\d+$/);
    assert.ok(hubBastion.ipConfigurations?.[0]?.subnet?.id?.endsWith("/hub-vnet/subnets/AzureBastionSubnet"));
    const legacy = await n.bastionHosts.get("rg-legacy", "bas-legacy");
    assert.equal(legacy.sku?.name, "Basic");
    const inRg = [];
    for await (const b of n.bastionHosts.listByResourceGroup("rg-locked")) inRg.push(b);
    assert.equal(inRg[0]?.enableTunneling, false);
    const nics = [];
    for await (const x of n.networkInterfaces.listAll()) nics.push(x);
    assert.equal(nics.length, 12);
    const vnets = [];
    for await (const x of n.virtualNetworks.list("rg-network")) vnets.push(x.name);
    assert.deepEqual(vnets.sort(), ["hub-vnet", "spoke-dev"]);
  });

  it("RBAC: a principal without a role is refused with AuthorizationFailed", async () => {
    const bob = await ts.signInWithDeviceCode("bob@contoso.example");
    const c = clients(ts, bob, ds).compute;
    await assert.rejects(c.virtualMachines.get("rg-gpu-ds-01", "gpu-ds-01"), (e: RestError) => {
      assert.equal(e.statusCode, 403);
      assert.equal(e.code, "AuthorizationFailed");
      assert.match(e.message, /Microsoft\.Compute\/virtualMachines\/read/);
      return true;
    });
    const ok = await clients(ts, bob, dev).compute.virtualMachines.get("rg-vm-dev-01", "vm-dev-01");
    assert.equal(ok.name, "vm-dev-01");
  });

  it("a token of another tenant gets InvalidAuthenticationTokenTenant with the right authority", async () => {
    const c = clients(ts, alice, fabrikam).compute;
    await assert.rejects(c.virtualMachines.get("rg-vm-fabrikam", "vm-fabrikam"), (e: RestError) => {
      assert.equal(e.statusCode, 401);
      assert.equal(e.code, "InvalidAuthenticationTokenTenant");
      const tid = ts.sim.scenario.subscriptions.find((s) => s.id === fabrikam)!.tenantId;
      assert.match(e.response?.headers.get("www-authenticate") ?? "", new RegExp(`authorization_uri="[^"]+/${tid}"`));
      return true;
    });
  });

  it("quirks: api-version required, // collapsed, api%2Dversion decoded, bad tokens refused", async () => {
    const missing = await sendArm(ts, alice, "GET", `/subscriptions/${dev}/providers/Microsoft.Compute/virtualMachines`);
    assert.equal(missing.status, 400);
    assert.equal((missing.json as { error: { code: string } }).error.code, "MissingApiVersionParameter");
    const doubled = await sendArm(ts, alice, "GET", `//subscriptions/${dev}//resourceGroups/rg-vm-ready/providers/Microsoft.Compute/virtualMachines/vm-ready?api%2Dversion=2024-07-01`);
    assert.equal(doubled.status, 200);
    assert.ok(doubled.response.headers.get("date"), "Date header from the simulated clock");
    assert.ok(doubled.response.headers.get("x-ms-request-id"));
    const anonymous = await fetch(`${ts.settings.resourceManagerEndpoint}/subscriptions/${dev}?api-version=2022-12-01`);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get("www-authenticate") ?? "", /^Bearer authorization_uri="[^"]+", error="invalid_token"/);
    const forged = await fetch(`${ts.settings.resourceManagerEndpoint}/subscriptions/${dev}?api-version=2022-12-01`, { headers: { authorization: "Bearer eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0.x" } });
    assert.equal(forged.status, 401);
    const kvToken = await alice.getToken(`${ts.settings.keyVaultAudience}/.default`);
    const wrongAud = await fetch(`${ts.settings.resourceManagerEndpoint}/subscriptions/${dev}?api-version=2022-12-01`, { headers: { authorization: `Bearer ${kvToken!.token}` } });
    assert.equal(((await wrongAud.json()) as { error: { code: string } }).error.code, "InvalidAuthenticationTokenAudience");
  });

  it("accepts the public ARM audiences (management.azure.com, management.core.windows.net/)", async () => {
    for (const scope of ["https://management.azure.com/.default", "https://management.core.windows.net//.default"]) {
      const vm = await clients(ts, alice, dev).compute.virtualMachines.get("rg-vm-ready", "vm-ready", { requestOptions: {} });
      assert.equal(vm.name, "vm-ready");
      const t = await alice.getToken(scope);
      const r = await fetch(`${ts.settings.resourceManagerEndpoint}/subscriptions/${dev}?api-version=2022-12-01`, { headers: { authorization: `Bearer ${t!.token}` } });
      assert.equal(r.status, 200, scope);
    }
  });

  it("tokens expire on the simulated clock (ExpiredAuthenticationToken)", async () => {
    const t = await alice.getToken(ts.settings.armScope);
    await ts.control.advanceClock(2 * 3600);
    const r = await fetch(`${ts.settings.resourceManagerEndpoint}/subscriptions/${dev}?api-version=2022-12-01`, { headers: { authorization: `Bearer ${t!.token}` } });
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, "ExpiredAuthenticationToken");
    alice = await ts.signInWithDeviceCode(ALICE);
  });

  it("faults: a 429 with Retry-After is retried by the SDK; latency is applied; counted rules expire", async () => {
    const c = clients(ts, alice, dev).network;
    const id = await ts.control.addFault({ match: { service: "arm", method: "GET", pathRegex: "/networkInterfaces/vm-ready-nic$" }, status: 429, retryAfterSeconds: 0, count: 2 });
    const since = (await ts.control.audit()).at(-1)!.seq;
    const nic = await c.networkInterfaces.get("rg-vm-ready", "vm-ready-nic");
    assert.equal(nic.name, "vm-ready-nic");
    const hits = (await ts.control.audit(since)).filter((a) => a.path.includes("/networkInterfaces/vm-ready-nic"));
    assert.deepEqual(hits.map((h) => h.status), [429, 429, 200]);
    await assert.rejects(ts.control.clearFaults(id), /FaultNotFound/, "the counted rule is gone");
    await ts.control.addFault({ match: { service: "arm", pathRegex: "/bastionHosts/bas-hub$" }, status: 503, count: 10 });
    await assert.rejects(
      clients(ts, alice, dev).network.bastionHosts.get("rg-network", "bas-hub", { requestOptions: {} }),
      (e: RestError) => e.statusCode === 503,
    );
    await ts.control.clearFaults();
    const lid = await ts.control.addFault({ match: { service: "arm", pathRegex: "/bastionHosts/bas-hub$" }, latencyMs: 300, count: 1 });
    assert.ok(lid);
    const started = process.hrtime.bigint();
    await c.bastionHosts.get("rg-network", "bas-hub");
    assert.ok(process.hrtime.bigint() - started >= 300_000_000n, "the injected latency delayed the answer");
  });

  it("CAE: an insufficient_claims challenge is answered by the SDK with a fresh token", async () => {
    await ts.control.armCaeChallenge(1);
    const since = (await ts.control.audit()).at(-1)!.seq;
    const vm = await clients(ts, alice, dev).compute.virtualMachines.get("rg-vm-ready", "vm-ready");
    assert.equal(vm.name, "vm-ready");
    const entries = await ts.control.audit(since);
    const arm = entries.filter((a) => a.path.includes("/virtualMachines/vm-ready"));
    assert.deepEqual(arm.map((a) => a.status), [401, 200]);
    assert.ok(entries.some((a) => a.service === "login"), "a new token was requested with the challenge's claims");
  });
});

describe("ARM CAE switch in the scenario", () => {
  let ts: TestSimulator;
  before(async () => {
    ts = await startTestSimulator("demo", { startVms: false, simulation: { caeChallenge: { pathRegex: "/bastionHosts", count: 1 } } });
  });
  after(() => ts.stop());

  it("challenges the first matching call of a CAE-capable client once, then serves it", async () => {
    const alice = await ts.signInWithDeviceCode(ALICE);
    const dev = ts.sim.scenario.subscriptions[0]!.id;
    const plain = await alice.getToken(ts.settings.armScope);
    const noCae = await fetch(`${ts.settings.resourceManagerEndpoint}/subscriptions/${dev}/resourceGroups/rg-network/providers/Microsoft.Network/bastionHosts/bas-hub?api-version=2025-05-01`, { headers: { authorization: `Bearer ${plain!.token}` } });
    assert.equal(noCae.status, 200, "a client without xms_cc=cp1 never gets CAE challenges");
    const cae = await alice.getToken(ts.settings.armScope, { enableCae: true });
    const challenged = await fetch(`${ts.settings.resourceManagerEndpoint}/subscriptions/${dev}/resourceGroups/rg-network/providers/Microsoft.Network/bastionHosts/bas-hub?api-version=2025-05-01`, { headers: { authorization: `Bearer ${cae!.token}` } });
    assert.equal(challenged.status, 401);
    const header = challenged.headers.get("www-authenticate") ?? "";
    assert.match(header, /error="insufficient_claims"/);
    const claims = JSON.parse(Buffer.from(/claims="([^"]+)"/.exec(header)![1]!, "base64").toString("utf8")) as { access_token: { nbf: { essential: boolean } } };
    assert.equal(claims.access_token.nbf.essential, true);
    const bastion = await clients(ts, alice, dev).network.bastionHosts.get("rg-network", "bas-hub");
    assert.equal(bastion.name, "bas-hub", "the switch fired once");
  });
});

describe("revokeSignInSessions (Graph) and what it does to tokens", () => {
  let ts: TestSimulator;
  before(async () => {
    ts = await startTestSimulator("demo", { startVms: false });
  });
  after(() => ts.stop());

  it("refresh tokens from before are refused (AADSTS50173); a CAE token is challenged at once, a plain one works until it expires", async () => {
    const alice = await ts.signInWithDeviceCode(ALICE);
    const dev = ts.sim.scenario.subscriptions[0]!.id;
    const url = `${ts.settings.resourceManagerEndpoint}/subscriptions/${dev}/resourceGroups/rg-network/providers/Microsoft.Network/bastionHosts/bas-hub?api-version=2025-05-01`;
    const plain = (await alice.getToken(ts.settings.armScope))!.token;
    const cae = (await alice.getToken(ts.settings.armScope, { enableCae: true }))!.token;
    // iat has whole seconds: the revocation must fall in a later second than the tokens' issue.
    await ts.control.advanceClock(2);
    await ts.control.revokeSignInSessions(ALICE);
    const caeCall = await fetch(url, { headers: { authorization: `Bearer ${cae}` } });
    assert.equal(caeCall.status, 401);
    assert.match(caeCall.headers.get("www-authenticate") ?? "", /error="insufficient_claims"/);
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${plain}` } })).status, 200, "an access token without CAE stays valid until it expires");
    // The SDK answers the challenge: the refresh token is refused, so the credential (this test's
    // device-code credential, approved by the helper) has to sign the user in again.
    const since = await ts.control.lastAuditSeq();
    assert.equal((await clients(ts, alice, dev).network.bastionHosts.get("rg-network", "bas-hub")).name, "bas-hub");
    const steps = (await ts.control.audit(since)).filter((a) => a.service === "arm" || a.service === "login").map((a) => `${a.service} ${a.path.split("?")[0]!.split("/").pop()} ${a.status}`);
    assert.deepEqual(steps, ["arm bas-hub 401", "login token 400", "login devicecode 200", "login token 200", "arm bas-hub 200"]);
  });

  it("the control answers 404 for an unknown user", async () => {
    await assert.rejects(ts.control.revokeSignInSessions("nobody@contoso.example"), (e: { status?: number }) => e.status === 404);
  });
});
