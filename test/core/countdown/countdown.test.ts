import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countdownView, earliestExpiry, formatRemaining, isWarning, nextTickDelay } from "../../../src/core/countdown/countdown";

const M = 60_000;

describe("countdown maths", () => {
  it("formats remaining time", () => {
    assert.equal(formatRemaining(42 * M), "42m");
    assert.equal(formatRemaining(42 * M + 59_000), "42m", "minutes round down");
    assert.equal(formatRemaining(65 * M), "1h 05m");
    assert.equal(formatRemaining(8 * 60 * M), "8h 00m");
    assert.equal(formatRemaining(45_000), "45s");
    assert.equal(formatRemaining(60_000), "60s");
    assert.equal(formatRemaining(400), "1s", "seconds round up: 0s only when time is up");
    assert.equal(formatRemaining(0), "0s");
    assert.equal(formatRemaining(-5), "0s");
  });

  it("warns in the last 10 minutes", () => {
    assert.ok(isWarning(10 * M));
    assert.ok(!isWarning(10 * M + 1));
  });

  it("ticks on minute boundaries, then every second in the last minute", () => {
    assert.equal(nextTickDelay(42 * M + 30_000), 30_000);
    assert.equal(nextTickDelay(42 * M), M);
    assert.equal(nextTickDelay(60_500), 500);
    assert.equal(nextTickDelay(60_000), 1000);
    assert.equal(nextTickDelay(45_300), 300);
    assert.equal(nextTickDelay(0), undefined);
  });

  it("shows the grant that ends first, ignoring ended ones", () => {
    const grants = [
      { vmId: "a", expiresAt: 1000 + 30 * M },
      { vmId: "b", expiresAt: 1000 + 5 * M },
      { vmId: "c", expiresAt: 500 },
    ];
    assert.equal(earliestExpiry(grants, 1000)?.vmId, "b");
    const view = countdownView(grants, 1000);
    assert.equal(view?.text, "5m");
    assert.equal(view?.warning, true);
    assert.equal(countdownView([], 0), undefined);
  });
});
