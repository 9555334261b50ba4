/** Scenario files: schema validation with file and field paths, references, placeholders, the demo table, the scale generator. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ScenarioError, loadScenario, type Scenario } from "../../simulator/src/index";
import { generateScaleScenario } from "../../simulator/scenarios/scale";

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  assert.fail("expected a ScenarioError");
}

const minimal = (): Scenario => ({
  name: "mini",
  tenants: [{ name: "T", domain: "t.example" }],
  users: [{ upn: "u@t.example", tenant: "T" }],
  subscriptions: [{ name: "S", tenant: "T" }],
  virtualNetworks: [{ name: "n", subscription: "S", resourceGroup: "rg", addressPrefixes: ["10.0.0.0/16"], subnets: [{ name: "default", addressPrefix: "10.0.0.0/24" }] }],
  virtualMachines: [{ name: "v", subscription: "S", resourceGroup: "rg", virtualNetwork: "n", subnet: "default" }],
});

describe("scenarios", () => {
  it("loads the demo exactly as the architecture table describes it", () => {
    const s = loadScenario("demo", Date.now());
    const names = s.vms.map((v) => v.name).sort();
    assert.deepEqual(names, ["gpu-ds-01", "vm-approval", "vm-dev-01", "vm-fabrikam", "vm-forbidden", "vm-legacy", "vm-locked", "vm-mfa", "vm-nojit", "vm-nosecret", "vm-password", "vm-ready", "vm-stopped", "win-01"]);
    assert.deepEqual(s.tenants.map((t) => t.domain), ["contoso.example", "fabrikam.example"]);
    assert.deepEqual(s.subscriptions.map((x) => x.name), ["Contoso Dev", "Contoso Data Science", "Fabrikam Research"]);
    const vm = (n: string) => s.vms.find((v) => v.name === n)!;
    assert.equal(vm("vm-stopped").power, "deallocated");
    assert.equal(vm("win-01").osType, "Windows");
    assert.equal(vm("vm-password").credential?.type, "password");
    assert.equal(vm("vm-nosecret").credential?.tagged, false);
    assert.equal(vm("vm-forbidden").credential?.vaultName, "kv-restricted");
    assert.equal(vm("gpu-ds-01").credential?.keyFormat, "pem-rsa");
    assert.equal(vm("vm-ready").adminUsername, os.userInfo().username, "{{osUser}} resolved");
    const b = (n: string) => s.bastions.find((x) => x.name === n)!;
    assert.deepEqual([b("bas-hub").sku, b("bas-hub").enableTunneling], ["Standard", true]);
    assert.equal(b("bas-legacy").sku, "Basic");
    assert.deepEqual([b("bas-locked").sku, b("bas-locked").enableTunneling], ["Standard", false]);
    assert.equal(s.jitPolicies.some((p) => p.virtualMachines.some((v) => v.id === vm("vm-nojit").id)), false);
    assert.ok(s.eligibilities.find((e) => e.scope.endsWith("/rg-vm-ready"))?.activeHours);
    const policy = (n: string) => s.pimPolicies.find((p) => p.scope.endsWith(`/rg-${n}`))!;
    assert.deepEqual([policy("vm-approval").requireApproval, policy("vm-approval").requireTicket], [true, true]);
    assert.deepEqual([policy("vm-mfa").authenticationContext, policy("vm-mfa").requireMfa], ["c1", true]);
    const hub = s.virtualNetworks.find((v) => v.name === "hub-vnet")!;
    assert.equal(hub.peeringVnetIds.length, 2);
    const alice = s.users.find((u) => u.upn === "alice@contoso.example")!;
    assert.equal(alice.objectIds.size, 2, "member of Contoso, guest in Fabrikam");
    assert.equal(loadScenario("demo", 0).vms[0]!.id, s.vms[0]!.id, "ids are stable across loads");
  });

  it("reports schema problems with the file and the path of each bad field", async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "azsim-scn-"));
    try {
      const file = path.join(dir, "bad.yaml");
      await fsp.writeFile(file, "name: bad\ntenants:\n  - name: T\n    domain: t.example\nsubscriptions:\n  - name: S\n    tenant: T\nvirtualMachines:\n  - name: v\n    subscription: S\n    resourceGroup: rg\n    virtualNetwork: n\n    subnet: d\n    power: on\n    sizee: big\n");
      assert.throws(() => loadScenario(file, 0), (e: ScenarioError) => {
        assert.equal(e.file, file);
        assert.ok(e.message.includes(file));
        assert.ok(e.problems.some((p) => p.startsWith("virtualMachines[0].power: expected one of running | stopped | deallocated")), e.problems.join("\n"));
        assert.ok(e.problems.some((p) => p.startsWith("virtualMachines[0].sizee: unknown field")));
        return true;
      });
      await fsp.writeFile(file, "name: [unclosed\n");
      assert.throws(() => loadScenario(file, 0), (e: ScenarioError) => e.problems[0]!.startsWith("YAML:"));
      assert.throws(() => loadScenario(path.join(dir, "none.yaml"), 0), /no such scenario/);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it("reports broken references with their paths", () => {
    const s = minimal();
    s.virtualMachines![0]!.virtualNetwork = "missing";
    s.subscriptions.push({ name: "S2", tenant: "Nowhere" });
    s.roleAssignments = [{ principal: "ghost@t.example", role: "Reader", scope: "/subscriptions/S" }, { principal: "u@t.example", role: "Nope", scope: "vault:kv" }];
    s.virtualNetworks![0]!.subnets.push({ name: "outside", addressPrefix: "10.9.0.0/24" });
    const problems = problemsOf(() => loadScenario(s, 0));
    for (const expected of [
      'virtualMachines[0].virtualNetwork: unknown virtual network "missing"',
      'subscriptions[1].tenant: unknown tenant "Nowhere"',
      'roleAssignments[0].principal: unknown principal "ghost@t.example"',
      'roleAssignments[1].role: unknown role "Nope"',
      'roleAssignments[1].scope: unknown vault "kv"',
      "virtualNetworks[0].subnets[1].addressPrefix: 10.9.0.0/24 is outside the address space 10.0.0.0/16",
    ]) {
      assert.ok(problems.some((p) => p.startsWith(expected)), `${expected}\n got:\n${problems.join("\n")}`);
    }
    assert.deepEqual(problemsOf(() => loadScenario({ ...minimal(), jitPolicies: [{ subscription: "S", resourceGroup: "other", virtualMachines: [{ name: "v", ports: [{ number: 22 }] }] }] }, 0)).length, 1);
  });

  it("a minimal scenario gets defaults (ids from names, NIC address from the subnet, running Linux)", () => {
    const s = loadScenario(minimal(), 0);
    assert.equal(s.vms[0]!.power, "running");
    assert.equal(s.vms[0]!.osType, "Linux");
    assert.equal(s.networkInterfaces[0]!.privateIp, "10.0.0.4");
    assert.match(s.subscriptions[0]!.id, /^[0-9a-f-]{36}$/);
    assert.equal(s.simulation.tokenLifetimeSeconds, 3599);
  });

  it("generates the scale scenario (default 10,000 VMs, 200 subscriptions, 2,000 eligibilities)", () => {
    const small = generateScaleScenario({ vms: 500, subscriptions: 20, eligibilities: 100 });
    const loaded = loadScenario(small, 0);
    assert.equal(loaded.vms.length, 500);
    assert.equal(loaded.subscriptions.length, 20);
    assert.equal(loaded.eligibilities.length, 100);
    const full = generateScaleScenario();
    assert.equal(full.virtualMachines!.length, 10_000);
    assert.equal(full.subscriptions.length, 200);
    assert.equal(full.eligibilities!.length, 2_000);
  });
});
