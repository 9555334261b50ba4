/** Resource Graph: the KQL subset (parser and evaluation) and the route through ResourceGraphClient (arm-resourcegraph 5.0.0-beta.4). */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { DeviceCodeCredential } from "@azure/identity";
import type { RestError } from "@azure/core-rest-pipeline";
import { parseKql } from "../../simulator/src/arm/resourceGraph/kqlParser";
import { run } from "../../simulator/src/arm/resourceGraph/kqlEvaluate";
import { KqlSyntaxError } from "../../simulator/src/arm/resourceGraph/kqlLexer";
import { startTestSimulator, type TestSimulator } from "../support/simulator";
import { clients } from "./sdkClients";

describe("KQL subset", () => {
  const rows = [
    { id: "/a", name: "a", type: "microsoft.compute/virtualmachines", properties: { extended: { instanceView: { powerState: { code: "PowerState/running" } } } }, tags: { env: "dev" }, n: 3 },
    { id: "/b", name: "B", type: "microsoft.network/networkinterfaces", properties: {}, tags: {}, n: 1 },
    { id: "/c", name: "c", type: "Microsoft.Compute/virtualMachines", properties: { extended: { instanceView: { powerState: { code: "PowerState/deallocated" } } } }, tags: { env: "prod" }, n: 2 },
  ];
  const q = (text: string) => run(parseKql(text), rows).rows;

  it("where with =~, ==, !=, in, in~, and/or and parentheses", () => {
    assert.deepEqual(q("Resources | where type =~ 'microsoft.compute/virtualmachines'").map((r) => r.id), ["/a", "/c"]);
    assert.deepEqual(q("Resources | where type == 'microsoft.compute/virtualmachines'").map((r) => r.id), ["/a"]);
    assert.deepEqual(q("Resources | where name != 'a'").map((r) => r.id), ["/b", "/c"]);
    assert.deepEqual(q("Resources | where name in ('a', 'b')").map((r) => r.id), ["/a"]);
    assert.deepEqual(q("Resources | where name in~ ('a', 'b')").map((r) => r.id), ["/a", "/b"]);
    assert.deepEqual(q("resources | where (name =~ 'b' or tags.env == 'prod') and n > 1").map((r) => r.id), ["/c"]);
    assert.deepEqual(q("Resources | where not(type =~ 'microsoft.network/networkinterfaces')").map((r) => r.id), ["/a", "/c"]);
  });

  it("project with aliases and paths, order by (desc by default), limit/take", () => {
    assert.deepEqual(q("Resources | project id, power = properties.extended.instanceView.powerState.code | order by id asc | take 2"), [
      { id: "/a", power: "PowerState/running" },
      { id: "/b", power: null },
    ]);
    assert.deepEqual(q("Resources | order by n").map((r) => r.n), [3, 2, 1]);
    assert.deepEqual(q("Resources | sort by name asc | limit 1 | project name").map((r) => r.name), ["a"]);
    assert.deepEqual(q("Resources | extend lower = tolower(name) | where lower == 'b' | project id").map((r) => r.id), ["/b"]);
  });

  it("reports syntax errors with a position", () => {
    for (const bad of ["Resources | where", "Resources | where name = ", "Resources | summarize count()", "Other | take 1", "Resources | where name == 'x", "Resources | project"]) {
      assert.throws(() => parseKql(bad), KqlSyntaxError, bad);
    }
    assert.throws(() => parseKql("Resources | where name =~ 'a' ||"), (e: KqlSyntaxError) => e.pos > 0);
  });
});

/**
 * arm-resourcegraph 5.0.0-beta.4 declares `data` as a Dictionary, so the SDK hands an objectArray
 * result back as `{ "0": row, "1": row, ... }`; consumers take Object.values().
 */
function rowsOf(data: unknown): Record<string, unknown>[] {
  const list: unknown[] = Array.isArray(data) ? data : Object.values(data as Record<string, unknown>);
  return list as Record<string, unknown>[];
}

describe("Resource Graph route", () => {
  let ts: TestSimulator;
  let alice: DeviceCodeCredential;
  before(async () => {
    ts = await startTestSimulator("demo", { startVms: false });
    alice = await ts.signInWithDeviceCode("alice@contoso.example");
  });
  after(() => ts.stop());
  const subs = () => ts.sim.scenario.subscriptions.map((s) => s.id);

  it("pages with $top and an opaque $skipToken; rows look like ARG rows", async () => {
    const graph = clients(ts, alice).graph;
    const query = "Resources | where type in~ ('microsoft.compute/virtualmachines', 'microsoft.network/bastionhosts') | project id, name, type, resourceGroup, subscriptionId, tenantId, tags, properties, sku | order by id asc";
    const seen: Record<string, unknown>[] = [];
    let skipToken: string | undefined;
    let pages = 0;
    do {
      const r = await graph.resources({ query, subscriptions: subs(), options: { top: 4, skipToken, resultFormat: "objectArray" } });
      assert.equal(r.totalRecords, 16, "13 Contoso VMs + 3 Contoso Bastions (the Fabrikam subscription is another tenant)");
      assert.equal(r.resultTruncated, "false");
      seen.push(...rowsOf(r.data));
      skipToken = r.skipToken;
      pages++;
    } while (skipToken);
    assert.equal(pages, 4);
    assert.equal(new Set(seen.map((x) => x.id)).size, 16);
    const vm = seen.find((x) => x.name === "vm-stopped")!;
    assert.equal(vm.type, "microsoft.compute/virtualmachines");
    assert.equal(vm.resourceGroup, "rg-vm-stopped");
    assert.equal((vm.properties as { extended: { instanceView: { powerState: { code: string } } } }).extended.instanceView.powerState.code, "PowerState/deallocated");
    const bastion = seen.find((x) => x.name === "bas-hub")!;
    assert.deepEqual(bastion.sku, { name: "Standard" });
    await assert.rejects(graph.resources({ query: "Resources | project name", subscriptions: subs(), options: { skipToken: "bogus" } }), (e: RestError) => e.statusCode === 400);
  });

  it("scopes by the body's subscriptions and the caller's read access", async () => {
    const graph = clients(ts, alice).graph;
    const ds = ts.sim.scenario.subscriptions.find((s) => s.name === "Contoso Data Science")!.id;
    const r = await graph.resources({ query: "Resources | where type =~ 'microsoft.compute/virtualmachines' | project name", subscriptions: [ds], options: { resultFormat: "objectArray" } });
    assert.deepEqual(rowsOf(r.data).map((x) => x.name), ["gpu-ds-01"]);
    const bob = await ts.signInWithDeviceCode("bob@contoso.example");
    const none = await clients(ts, bob).graph.resources({ query: "Resources | project id", subscriptions: [ds] });
    assert.equal(none.totalRecords, 0, "no role in that subscription: no rows");
  });

  it("table format, count, and resultTruncated when there is no id column", async () => {
    const graph = clients(ts, alice).graph;
    const t = await graph.resources({ query: "Resources | where type =~ 'microsoft.network/virtualnetworks' | project name, prefixes = properties.addressSpace.addressPrefixes | order by name asc", subscriptions: subs(), options: { resultFormat: "table" } });
    const table = t.data as unknown as { columns: { name: string; type: string }[]; rows: unknown[][] };
    assert.deepEqual(table.columns, [{ name: "name", type: "string" }, { name: "prefixes", type: "object" }]);
    assert.equal(table.rows[0]![0], "hub-vnet");
    assert.equal(t.count, 5);
    const truncated = await graph.resources({ query: "Resources | project name", subscriptions: subs(), options: { top: 2, resultFormat: "objectArray" } });
    assert.equal(truncated.resultTruncated, "true");
    assert.equal(truncated.skipToken, undefined);
    const skipped = await graph.resources({ query: "Resources | project id | order by id asc", subscriptions: subs(), options: { skip: 1, top: 1 } });
    const first = await graph.resources({ query: "Resources | project id | order by id asc", subscriptions: subs(), options: { top: 2 } });
    assert.deepEqual(rowsOf(skipped.data), [rowsOf(first.data)[1]]);
  });

  it("refuses an api-version ARM does not route for Microsoft.ResourceGraph/resources with 404 InvalidResourceType", async () => {
    const body = { query: "Resources | project id", subscriptions: subs() };
    const bad = await clients(ts, alice).raw("POST", "/providers/Microsoft.ResourceGraph/resources?api-version=2024-01-01", body);
    assert.equal(bad.status, 404);
    const error = (bad.json as { error: { code: string; message: string } }).error;
    assert.equal(error.code, "InvalidResourceType");
    assert.match(error.message, /for api version '2024-01-01'\. The supported api-versions are '.*2021-03-01.*'\./);
    for (const stable of ["2019-04-01", "2021-03-01", "2022-10-01"]) {
      const ok = await clients(ts, alice).raw("POST", `/providers/Microsoft.ResourceGraph/resources?api-version=${stable}`, body);
      assert.equal(ok.status, 200, stable);
    }
  });

  it("answers a KQL syntax error with ARG's 400 and ParserFailure details", async () => {
    await assert.rejects(clients(ts, alice).graph.resources({ query: "Resources | where type =~", subscriptions: subs() }), (e: RestError) => {
      assert.equal(e.statusCode, 400);
      const details = (e.details as { error?: { details?: { code: string }[] } } | undefined)?.error?.details ?? [];
      assert.ok(details.some((d) => d.code === "ParserFailure") || /Please provide below info/.test(e.message));
      return true;
    });
  });
});
