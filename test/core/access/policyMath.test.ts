import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clampDuration, defaultRequestDuration, maxRequestDuration, MIN_DURATION_MS, validateAccessInput } from "../../../src/core/access/policyMath";
import { type JitError } from "../../../src/core/errors";

const H = 3600_000;

describe("policy maths", () => {
  it("the maximum is the smallest applicable limit, in whole minutes", () => {
    assert.equal(maxRequestDuration({ pimMaxMs: 8 * H, jitMaxMs: 3 * H }), 3 * H);
    assert.equal(maxRequestDuration({ pimMaxMs: 1 * H, jitMaxMs: 3 * H }), 1 * H);
    assert.equal(maxRequestDuration({ jitMaxMs: 3 * H, roleRemainingMs: 90 * 60_000 + 30_000 }), 90 * 60_000);
    assert.equal(maxRequestDuration({}), 8 * H, "a fallback bound when no policy states one");
  });

  it("clamps too long and too short requests", () => {
    assert.deepEqual(clampDuration(10 * H, 3 * H), { durationMs: 3 * H, clamped: true });
    assert.deepEqual(clampDuration(2 * H, 3 * H), { durationMs: 2 * H, clamped: false });
    assert.deepEqual(clampDuration(60_000, 3 * H), { durationMs: MIN_DURATION_MS, clamped: true });
    assert.equal(clampDuration(Number.NaN, 3 * H).durationMs, 3 * H);
    assert.equal(defaultRequestDuration(3 * H), H);
    assert.equal(defaultRequestDuration(30 * 60_000), 30 * 60_000);
  });

  it("refuses missing justification or ticket before anything is sent", () => {
    const needs = { justification: true, ticket: true };
    assert.throws(() => validateAccessInput({ durationMs: H, justification: "  " }, needs, "vm-approval"), (e: JitError) => e.code === "PolicyViolation" && /justification and a ticket number/.test(e.message));
    assert.throws(() => validateAccessInput({ durationMs: H, justification: "why" }, needs, "vm-approval"), (e: JitError) => e.code === "PolicyViolation" && /ticket number/.test(e.message));
    const ok = validateAccessInput({ durationMs: H, justification: " why ", ticket: { number: " INC-1 ", system: "" } }, needs, "vm");
    assert.equal(ok.justification, "why");
    assert.deepEqual(ok.ticket, { number: "INC-1", system: undefined });
    assert.throws(() => validateAccessInput({ durationMs: 0 }, { justification: false, ticket: false }, "vm"), (e: JitError) => e.code === "InvalidInput");
  });
});
