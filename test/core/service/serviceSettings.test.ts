/**
 * Settings a running service takes without signing out (`configure`), and the unfiltered list of
 * tenants and subscriptions the filter picker offers (`availableScopes`), against the demo scenario.
 */
import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { MemoryCredentialChoiceStore } from "../../../src/core/credential/credentialSource";
import type { Inventory } from "../../../src/core/inventory/loadInventory";
import { JitConnectService } from "../../../src/core/service/jitConnectService";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { memoryLogger, productCredential, simCloud } from "../access/support/simContext";

describe("JitConnectService settings", { timeout: 120_000 }, () => {
  let t: TestSimulator;
  let root: string;
  let service: JitConnectService;
  const logger = memoryLogger();

  before(async () => {
    t = await startTestSimulator("demo", { startVms: false });
    root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-settings-"));
    service = await JitConnectService.create({
      cloud: simCloud(t),
      credential: await productCredential(t, "alice@contoso.example"),
      accessInput: async (request) => ({ durationMs: request.defaultDurationMs }),
      storageDir: path.join(root, "storage"),
      home: path.join(root, "home"),
      tunnelProgram: { nodePath: process.execPath, tunnelScript: path.join(root, "tunnel.js"), viaLauncher: false },
      credentialChoices: new MemoryCredentialChoiceStore(),
      logger,
      brokerRuntimeDir: path.join(root, "run"),
    });
    await service.signIn();
    await service.refreshInventory();
  });

  after(async () => {
    await service?.dispose();
    await t?.stop();
    if (root) await fsp.rm(root, { recursive: true, force: true });
  });

  it("lists every tenant and subscription, and the filter applies at once without an Azure call", async () => {
    const scopes = service.availableScopes();
    assert.ok(scopes);
    const names = scopes.subscriptions.map((s) => s.displayName).sort();
    assert.deepEqual(names, ["Contoso Data Science", "Contoso Dev", "Fabrikam Research"]);
    const fabrikam = scopes.subscriptions.find((s) => s.displayName === "Fabrikam Research")!;

    const auditBefore = (await t.control.audit()).length;
    const changes: Inventory[] = [];
    const unsubscribe = service.onDidChangeInventory((i) => changes.push(i));
    service.configure({ filter: { subscriptions: [fabrikam.subscriptionId.toUpperCase()] } });
    unsubscribe();

    assert.equal(changes.length, 1, "one inventory change is announced");
    assert.deepEqual([...new Set(service.inventory!.vms.map((v) => v.subscriptionName))], ["Fabrikam Research"]);
    // The picker still sees everything.
    assert.equal(service.availableScopes()!.subscriptions.length, 3);
    const armCalls = (await t.control.audit()).slice(auditBefore).filter((a) => a.service.startsWith("arm"));
    assert.deepEqual(armCalls, [], "re-filtering made no ARM request");
  });

  it("an unchanged filter announces nothing; clearing it shows every VM again", () => {
    const changes: Inventory[] = [];
    const unsubscribe = service.onDidChangeInventory((i) => changes.push(i));
    service.configure({ filter: { subscriptions: [service.inventory!.vms[0]!.subscriptionId.toLowerCase()] } });
    assert.equal(changes.length, 0);
    service.configure({ filter: {} });
    unsubscribe();
    assert.equal(changes.length, 1);
    assert.ok(service.inventory!.vms.some((v) => v.name === "vm-dev-01"));
    assert.ok(service.inventory!.vms.some((v) => v.name === "vm-fabrikam"));
  });

  it("the next inventory honours useResourceGraph = false (per-subscription listing)", async () => {
    service.configure({ useResourceGraph: false });
    const inventory = await service.refreshInventory();
    assert.equal(inventory.source, "sdk");
    service.configure({ useResourceGraph: true });
    assert.equal((await service.refreshInventory()).source, "resourceGraph");
  });

  it("after sign-out there is nothing to pick from", async () => {
    await service.signOut();
    assert.equal(service.availableScopes(), undefined);
  });
});
