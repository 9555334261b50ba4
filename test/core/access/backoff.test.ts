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

  it("proportional polling is never late by more than its fraction of the wait (plus jitter)", () => {
    const proportional = { initialMs: 250, maxMs: 5000, fractionOfElapsed: 0.1, jitter: 0.2 };
    const mid = (): number => 0.5;
    assert.equal(backoffDelay(0, proportional, mid, 0), 250, "starts at initialMs");
    assert.equal(backoffDelay(7, proportional, mid, 1000), 250, "never under initialMs");
    assert.equal(backoffDelay(9, proportional, mid, 8000), 800);
    assert.equal(backoffDelay(30, proportional, mid, 600_000), 5000, "capped");
    // Simulated: a change 8 s in is seen at most ~12% (10% + jitter) late, in a few dozen polls.
    let t = 0;
    let polls = 0;
    while (t < 8000) {
      t += backoffDelay(polls, proportional, () => 0.999999, t);
      polls++;
    }
    assert.ok(t - 8000 <= 0.12 * 8000, `seen ${t - 8000} ms late`);
    assert.ok(polls < 30, `${polls} polls`);
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
