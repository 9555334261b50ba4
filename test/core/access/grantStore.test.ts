import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import type { Grant } from "../../../src/core/access/grant";
import { type AccessRecord, GrantStore } from "../../../src/core/access/grantStore";
import type { Logger } from "../../../src/core/logger";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await fsp.mkdtemp(path.join(os.tmpdir(), "grantstore-"));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

function captureLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: (m: string) => warnings.push(m), error: (m: string | Error) => warnings.push(String(m)) };
}

const grant: Grant = {
  vmId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm",
  vmName: "vm",
  tenantId: "t",
  subscriptionId: "s",
  roleAssignment: { requestName: "r", scope: "/subscriptions/s/resourceGroups/rg", roleDefinitionId: "role", endsAt: 2000 },
  jit: { policyId: "p", requestStart: 1000, endsAt: 1500, port: 22, sourcePrefix: "10.0.1.0/26" },
  expiresAt: 1500,
  grantedAt: 1000,
};
const record = (over: Partial<AccessRecord> = {}): AccessRecord => ({ vmId: grant.vmId, vmName: "vm", state: { kind: "granted", grant }, grant, updatedAt: 1000, ...over });

describe("GrantStore", () => {
  it("persists records owner-only, and a new instance reads them back (restart)", async () => {
    const file = path.join(await tempDir(), "state", "grants.json");
    const store = await GrantStore.open(file);
    await store.put(record());
    if (process.platform !== "win32") {
      assert.equal((await fsp.stat(file)).mode & 0o777, 0o600);
      assert.equal((await fsp.stat(path.dirname(file))).mode & 0o777, 0o700);
    }
    const again = await GrantStore.open(file);
    assert.equal(again.get(grant.vmId.toUpperCase())?.state.kind, "granted", "lookup is case-insensitive");
    assert.deepEqual(again.grants(), [grant]);
    const onDisk = JSON.parse(await fsp.readFile(file, "utf8")) as { version: number };
    assert.equal(onDisk.version, 1);
  });

  it("writes atomically: no temporary files remain and concurrent puts end with the last one", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "grants.json");
    const store = await GrantStore.open(file);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(record({ updatedAt: i }))));
    const names = await fsp.readdir(dir);
    assert.deepEqual(names, ["grants.json"]);
    const reread = await GrantStore.open(file);
    assert.equal(reread.get(grant.vmId)?.updatedAt, 19);
  });

  it("a corrupt file is set aside with a clear log, and the store starts empty", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "grants.json");
    await fsp.writeFile(file, "{ not json");
    const logger = captureLogger();
    const store = await GrantStore.open(file, { logger });
    assert.deepEqual(store.all(), []);
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0] ?? "", /could not be read because it is not valid JSON.*moved to/);
    assert.ok((await fsp.readdir(dir)).some((n) => n.startsWith("grants.json.unreadable-")));
    await store.put(record());
    assert.equal((await GrantStore.open(file)).all().length, 1);
  });

  it("an unknown format version and invalid records are not trusted", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "grants.json");
    await fsp.writeFile(file, JSON.stringify({ version: 99, records: [] }));
    const logger = captureLogger();
    await GrantStore.open(file, { logger });
    assert.match(logger.warnings[0] ?? "", /format version 99/);
    await fsp.writeFile(file, JSON.stringify({ version: 1, records: [record(), { vmId: 1 }, { ...record(), state: { kind: "bogus" } }] }));
    const l2 = captureLogger();
    const store = await GrantStore.open(file, { logger: l2 });
    assert.equal(store.all().length, 1);
    assert.match(l2.warnings[0] ?? "", /2 unreadable record/);
  });

  it("remembers countdown notifications per grant instance", async () => {
    const store = await GrantStore.open(path.join(await tempDir(), "g.json"));
    await store.put(record());
    await store.markNotified(grant.vmId, "k1", 10);
    assert.ok(store.wasNotified(grant.vmId, "k1", 10));
    assert.ok(!store.wasNotified(grant.vmId, "k1", 5));
    await store.markNotified(grant.vmId, "k2", 5);
    assert.ok(!store.wasNotified(grant.vmId, "k1", 10), "a new grant instance starts afresh");
    assert.ok((await GrantStore.open(store.file)).wasNotified(grant.vmId, "k2", 5), "survives a restart");
  });
});
