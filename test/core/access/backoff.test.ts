import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelay, pollUntil } from "../../../src/core/access/backoff";
import { ManualClock } from "./support/manualClock";

const opts = { initialMs: 1000, maxMs: 8000, factor: 2, jitter: 0.2 };

describe("backoff", () => {
  it("grows exponentially to a cap, with bounded jitter", () => {
    const mid = (): number => 0.5; // no jitter
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, opts, mid)), [1000, 2000, 4000, 8000, 8000, 8000]);
    assert.equal(backoffDelay(2, opts, () => 0), 3200);
    assert.equal(backoffDelay(2, opts, () => 0.999999), 4800);
  });

  it("polls until a value, sleeping on the injected clock", async () => {
    const clock = new ManualClock();
    let calls = 0;
    const start = clock.now();
    const p = pollUntil({ clock, backoff: opts, random: () => 0.5 }, async () => (++calls === 4 ? "done" : undefined));
    await clock.advance(20_000);
    assert.equal(await p, "done");
    assert.equal(calls, 4);
    assert.equal(clock.now() - start, 20_000);
  });

  it("gives up after the timeout and stops on abort", async () => {
    const clock = new ManualClock();
    const p = pollUntil({ clock, backoff: opts, timeoutMs: 5000, random: () => 0.5 }, async () => undefined);
    await clock.advance(10_000);
    assert.equal(await p, undefined);

    const ac = new AbortController();
    const q = pollUntil({ clock, backoff: opts, signal: ac.signal }, async () => undefined);
    ac.abort();
    await assert.rejects(q, (e: Error) => e.name === "CancellationError");
  });
});
