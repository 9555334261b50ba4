/** One expiry warning per moment: grants reaching the same mark in one tick share one notification. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExpiryWarningBatcher, expiryWarningMessage, extendCommandLink, stillWarranted } from "../../src/vscode/access/expiryWarnings";
import { formatOnly } from "../../src/vscode/localizer";

describe("expiry warnings", () => {
  it("names one VM, or counts and lists several in a stable order", () => {
    assert.equal(expiryWarningMessage(["vm-01"], 10, formatOnly), "Access to vm-01 ends in 10 minutes.");
    assert.equal(expiryWarningMessage(["vm-10", "vm-2", "vm-2"], 5, formatOnly), "Access to 2 VMs ends in 5 minutes: vm-2, vm-10.");
  });

  it("groups the warnings of one tick by mark, and hands them on after the tick", async () => {
    const flushed: string[] = [];
    const batcher = new ExpiryWarningBatcher<string>((minutes, items) => flushed.push(`${minutes}:${items.join(",")}`));
    // One tick of the countdown: every due warning, synchronously.
    batcher.add("vm-01", 10);
    batcher.add("vm-02", 10);
    batcher.add("vm-03", 5);
    assert.deepEqual(flushed, [], "nothing is shown while the tick still runs");
    await Promise.resolve();
    assert.deepEqual(flushed, ["5:vm-03", "10:vm-01,vm-02"]);
    // A later tick is a new moment.
    batcher.add("vm-04", 10);
    await Promise.resolve();
    assert.deepEqual(flushed.slice(2), ["10:vm-04"]);
  });

  it("keeps a warning only for grants still running and not extended past the end it announced", () => {
    const warned = [
      { vmId: "/vm/a", vmName: "a", expiresAt: 1_000 },
      { vmId: "/vm/b", vmName: "b", expiresAt: 1_000 },
      { vmId: "/vm/c", vmName: "c", expiresAt: 1_000 },
    ];
    const now: Record<string, { expiresAt: number } | undefined> = { "/vm/a": { expiresAt: 1_000 }, "/vm/b": { expiresAt: 4_600 }, "/vm/c": undefined };
    assert.deepEqual(stillWarranted(warned, (id) => now[id]).map((w) => w.vmName), ["a"], "b was extended, c has ended");
    assert.deepEqual(stillWarranted(warned, () => undefined), [], "nothing left: the warning is withdrawn");
  });

  it("links Extend to the one VM, or to the command that asks which", () => {
    const id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-01";
    assert.equal(extendCommandLink([{ vmId: id, vmName: "vm-01", expiresAt: 0 }]), `command:azureJit.extendAccess?${encodeURIComponent(JSON.stringify([id]))}`);
    assert.equal(extendCommandLink([{ vmId: "/a", vmName: "a", expiresAt: 0 }, { vmId: "/b", vmName: "b", expiresAt: 0 }]), "command:azureJit.extendAccess");
  });

  it("takes brackets out of names, so that a name cannot shape a link in the notification", () => {
    assert.equal(expiryWarningMessage(["[x](command:evil)"], 5, formatOnly), "Access to x(command:evil) ends in 5 minutes.");
  });
});

