import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeDuration, formatIsoDuration, parseIsoDuration } from "../../../src/core/azure/isoDuration";

describe("isoDuration", () => {
  it("parses the durations Azure sends", () => {
    assert.equal(parseIsoDuration("PT8H"), 8 * 3600_000);
    assert.equal(parseIsoDuration("PT3H"), 3 * 3600_000);
    assert.equal(parseIsoDuration("PT1H30M"), 90 * 60_000);
    assert.equal(parseIsoDuration("PT45S"), 45_000);
    assert.equal(parseIsoDuration("P1D"), 86_400_000);
    assert.equal(parseIsoDuration("P1DT2H"), 26 * 3600_000);
    assert.equal(parseIsoDuration("pt30m"), 30 * 60_000);
  });

  it("refuses what is not a duration we accept", () => {
    for (const bad of ["", "P", "PT", "8H", "P1M", "P1Y", "PTXH", undefined]) assert.equal(parseIsoDuration(bad), undefined, String(bad));
  });

  it("formats whole minutes", () => {
    assert.equal(formatIsoDuration(3 * 3600_000), "PT3H");
    assert.equal(formatIsoDuration(90 * 60_000), "PT1H30M");
    assert.equal(formatIsoDuration(45 * 60_000), "PT45M");
    assert.equal(formatIsoDuration(59_000), "PT1M", "never PT0M");
    assert.equal(parseIsoDuration(formatIsoDuration(125 * 60_000)), 125 * 60_000);
  });

  it("describes durations for people", () => {
    assert.equal(describeDuration(8 * 3600_000), "8 h");
    assert.equal(describeDuration(90 * 60_000), "1 h 30 min");
    assert.equal(describeDuration(5 * 60_000), "5 min");
  });
});
