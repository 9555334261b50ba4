/** PIM's 5-minute rule, known before asking: the time deactivation becomes possible, or nothing. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { refuseEarlyDeactivation } from "../../../src/core/access/deactivateFlow";
import { deactivationPossibleAt, MIN_ACTIVE_BEFORE_DEACTIVATE_MS } from "../../../src/core/access/grant";
import { isJitError } from "../../../src/core/errors";

const MIN = 60_000;
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

describe("deactivation within PIM's first 5 minutes", () => {
  it("is possible from the activation's start plus 5 minutes, on Azure's clock", () => {
    assert.equal(MIN_ACTIVE_BEFORE_DEACTIVATE_MS, 5 * MIN);
    assert.equal(deactivationPossibleAt(NOW - 2 * MIN, NOW), NOW + 3 * MIN);
    assert.equal(deactivationPossibleAt(NOW - 5 * MIN, NOW), undefined);
    // The start was not read: PIM's answer decides.
    assert.equal(deactivationPossibleAt(undefined, NOW), undefined);
  });

  it("is refused before any question, naming the VM and when", () => {
    assert.throws(
      () => refuseEarlyDeactivation(NOW - MIN, "vm-01", NOW),
      (e: unknown) => isJitError(e) && e.code === "DeactivateTooSoon" && /vm-01/.test(e.message) && /in 4 min/.test(e.message),
    );
    assert.doesNotThrow(() => refuseEarlyDeactivation(undefined, "vm-01", NOW));
    assert.doesNotThrow(() => refuseEarlyDeactivation(NOW - 6 * MIN, "vm-01", NOW));
  });
});
