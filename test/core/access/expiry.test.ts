import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { AccessMachine } from "../../../src/core/access/accessMachine";
import type { Grant } from "../../../src/core/access/grant";
import { GrantStore } from "../../../src/core/access/grantStore";
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

describe("Expiry", () => {
  it("two grants ending at the same moment, checked by overlapping calls, each expire once and nothing rejects", async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "expiry-"));
    dirs.push(dir);
    const clock = new ManualClock();
    const endsAt = clock.now() + 60_000;
    const store = await GrantStore.open(path.join(dir, "grants.json"));
    for (const name of ["a", "b"]) await store.put({ vmId: vmId(name), vmName: name, state: { kind: "granted", grant: grant(name, endsAt) }, grant: grant(name, endsAt), updatedAt: clock.now() });
    const ctx = await createAzureContext({ cloud: BUILT_IN_CLOUDS.AzureCloud, credential: { getToken: async () => null }, localClock: clock });
    const journal = await AuditJournal.open(path.join(dir, "audit"), { clock });
    const machine = new AccessMachine({ ctx, store, input: async () => ({ durationMs: 1 }), audit: journal, localClock: clock });
    const expiredEvents: string[] = [];
    machine.onDidChange((e) => {
      if (e.state.kind === "expired") expiredEvents.push(e.vmName);
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      assert.deepEqual(await machine.checkExpiry(), [], "nothing is due before the end");
      await clock.advance(60_000);
      // The countdown calls once per grant that ended in the tick, without waiting (fire and forget).
      const results = await Promise.allSettled([machine.checkExpiry(), machine.checkExpiry(), machine.checkExpiry()]);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(results.map((r) => r.status), ["fulfilled", "fulfilled", "fulfilled"], JSON.stringify(results.map((r) => (r.status === "rejected" ? String(r.reason) : ""))));
      const returned = results.flatMap((r) => (r.status === "fulfilled" ? r.value.map((g) => g.vmName) : [])).sort();
      assert.deepEqual(returned, ["a", "b"], "each grant is returned once over all calls");
      assert.deepEqual(expiredEvents.sort(), ["a", "b"], "one expired event per grant");
      assert.equal(machine.state(vmId("a")).kind, "expired");
      assert.equal(machine.state(vmId("b")).kind, "expired");
      assert.deepEqual((await journal.read()).map((r) => `${r.vmName}:${r.type}`).sort(), ["a:expired", "b:expired"]);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
