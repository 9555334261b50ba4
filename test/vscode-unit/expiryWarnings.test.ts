/** One expiry warning per moment: grants reaching the same mark in one tick share one notification. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExpiryWarningBatcher, expiryWarningMessage } from "../../src/vscode/access/expiryWarnings";
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
});
