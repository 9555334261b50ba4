/** The duration picker: never above the maximum, preselection from azureJit.access.defaultDuration. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { durationChoices, preferredDuration, rememberRecent } from "../../src/vscode/access/durationChoices";

const H = 60 * 60_000;

describe("duration choices", () => {
  it("offers the steps below the maximum plus the maximum itself, one default", () => {
    const choices = durationChoices(3 * H, H, (d) => `${d} (maximum)`);
    assert.deepEqual(choices.map((c) => c.label), ["15 min", "30 min", "1 h", "2 h", "3 h (maximum)"]);
    assert.deepEqual(choices.filter((c) => c.isDefault).map((c) => c.label), ["1 h"]);
    assert.equal(choices.at(-1)!.isMaximum, true);
  });

  it("a preferred duration off the steps is offered as such; one above the maximum becomes the maximum", () => {
    assert.deepEqual(durationChoices(8 * H, 90 * 60_000, (d) => d).map((c) => c.label), ["15 min", "30 min", "1 h", "1 h 30 min", "2 h", "4 h", "8 h"]);
    const capped = durationChoices(45 * 60_000, 2 * H, (d) => `${d} max`);
    assert.deepEqual(capped.map((c) => c.label), ["15 min", "30 min", "45 min max"]);
    assert.equal(capped.find((c) => c.isDefault)!.label, "45 min max");
  });

  it("the setting wins over the core's default, clamped to the maximum; garbage falls back", () => {
    assert.equal(preferredDuration("PT2H", H, 3 * H), 2 * H);
    assert.equal(preferredDuration("PT8H", H, 3 * H), 3 * H);
    assert.equal(preferredDuration("soon", H, 3 * H), H);
    assert.equal(preferredDuration("PT1M", H, 3 * H), 5 * 60_000);
  });

  it("remembers recent values, newest first, without duplicates", () => {
    assert.deepEqual(rememberRecent(["a", "b", "c"], "b"), ["b", "a", "c"]);
    assert.deepEqual(rememberRecent(["a", "b", "c", "d", "e"], "f"), ["f", "a", "b", "c", "d"]);
    assert.deepEqual(rememberRecent(["a"], "  "), ["a"]);
  });
});
