import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { AccessMachine } from "../../../src/core/access/accessMachine";
import type { Grant } from "../../../src/core/access/grant";
import { type AccessRecord, GrantStore } from "../../../src/core/access/grantStore";
import { AuditJournal } from "../../../src/core/audit/auditJournal";
import { createAzureContext } from "../../../src/core/azure/azureContext";
import { BUILT_IN_CLOUDS } from "../../../src/core/cloud";
import { ManualClock } from "./support/manualClock";

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

const vmId = (n: string): string => `/subscriptions/s/resourceGroups/rg-${n}/providers/Microsoft.Compute/virtualMachines/${n}`;
function grant(name: string, expiresAt: number): Grant {
  return {
    vmId: vmId(name),
    vmName: name,
    tenantId: "t",
    subscriptionId: "s",
    roleAssignment: { requestName: "r", scope: `/subscriptions/s/resourceGroups/rg-${name}`, roleDefinitionId: "role", endsAt: expiresAt },
    jit: { policyId: "p", requestStart: 0, endsAt: expiresAt, port: 22, sourcePrefix: "10.0.1.0/26" },
    expiresAt,
    grantedAt: 0,
  };
}

describe("AccessMachine after a restart (no Azure calls needed)", () => {
  it("ends in-memory flows, restores interrupted extensions, and expires due grants", async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "resume-"));
    dirs.push(dir);
    const clock = new ManualClock();
    const now = clock.now();
    const store = await GrantStore.open(path.join(dir, "grants.json"));
    const records: AccessRecord[] = [
      { vmId: vmId("a"), vmName: "a", state: { kind: "awaitingInput" }, updatedAt: now },
      { vmId: vmId("b"), vmName: "b", state: { kind: "extending", grant: grant("b", now + 3600_000) }, grant: grant("b", now + 3600_000), updatedAt: now },
      { vmId: vmId("c"), vmName: "c", state: { kind: "deactivating" }, updatedAt: now },
      { vmId: vmId("d"), vmName: "d", state: { kind: "granted", grant: grant("d", now - 1000) }, grant: grant("d", now - 1000), updatedAt: now },
      { vmId: vmId("e"), vmName: "e", state: { kind: "denied", message: "no" }, updatedAt: now },
    ];
    for (const r of records) await store.put(r);
    const ctx = await createAzureContext({ cloud: BUILT_IN_CLOUDS.AzureCloud, credential: { getToken: async () => null }, localClock: clock });
    const journal = await AuditJournal.open(path.join(dir, "audit"), { clock });
    const machine = new AccessMachine({ ctx, store, input: async () => ({ durationMs: 1 }), audit: journal, localClock: clock });
    const events: string[] = [];
    machine.onDidChange((e) => events.push(`${e.vmName}:${e.state.kind}`));

    const outcomes = await machine.resumePending();
    assert.deepEqual(Object.fromEntries(outcomes.map((o) => [o.vmName, o.outcome])), { a: "cancelled", b: "unchanged", c: "unchanged", d: "unchanged", e: "unchanged" });
    assert.equal(machine.state(vmId("a")).kind, "cancelled");
    assert.equal(machine.state(vmId("b")).kind, "granted");
    assert.equal(machine.state(vmId("c")).kind, "idle");
    assert.equal(machine.state(vmId("d")).kind, "expired");
    assert.equal(machine.state(vmId("e")).kind, "denied");
    assert.deepEqual(machine.grants().map((g) => g.vmName), ["b"]);
    assert.deepEqual((await journal.read()).map((r) => `${r.vmName}:${r.type}`), ["d:expired"]);
    assert.ok(events.includes("d:expired") && events.includes("a:cancelled"));
    assert.equal((await GrantStore.open(store.file)).get(vmId("d"))?.state.kind, "expired", "persisted");
  });
});
