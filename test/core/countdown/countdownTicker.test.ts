import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CountdownTicker } from "../../../src/core/countdown/countdownTicker";
import { dueNotifications, type NotificationLedger } from "../../../src/core/countdown/notifications";
import { ManualClock } from "../access/support/manualClock";

const M = 60_000;

class MemoryLedger implements NotificationLedger {
  marks = new Map<string, Set<number>>();
  wasNotified(vmId: string, key: string, mark: number): boolean {
    return this.marks.get(`${vmId}|${key}`)?.has(mark) ?? false;
  }
  async markNotified(vmId: string, key: string, mark: number): Promise<void> {
    const k = `${vmId}|${key}`;
    this.marks.set(k, new Set([...(this.marks.get(k) ?? []), mark]));
  }
}

describe("notification schedule", () => {
  it("T-10 and T-5 once each; a late start shows only the tightest mark", () => {
    const ledger = new MemoryLedger();
    const g = { vmId: "vm", expiresAt: 60 * M };
    const key = (): string => "k";
    assert.deepEqual(dueNotifications([g], 0, key, ledger), []);
    const at10 = dueNotifications([g], 50 * M, key, ledger);
    assert.deepEqual(at10.map((d) => d.mark), [10]);
    void ledger.markNotified("vm", "k", 10);
    assert.deepEqual(dueNotifications([g], 52 * M, key, ledger), [], "not twice");
    assert.deepEqual(dueNotifications([g], 56 * M, key, ledger).map((d) => d.mark), [5]);
    const fresh = new MemoryLedger();
    const late = dueNotifications([g], 57 * M, key, fresh);
    assert.deepEqual(late.map((d) => [d.mark, d.covers]), [[5, [5, 10]]]);
  });
});

describe("CountdownTicker (injected clock)", () => {
  it("ticks at minute boundaries, notifies at T-10 and T-5, and reports expiry", async () => {
    const clock = new ManualClock(0);
    const ledger = new MemoryLedger();
    const grants = [{ vmId: "vm", expiresAt: 12 * M + 30_000 }];
    const texts: string[] = [];
    const notified: number[] = [];
    let expired = 0;
    const ticker = new CountdownTicker({
      clock,
      grants: () => grants,
      keyOf: () => "k",
      ledger,
      onTick: (v) => texts.push(v ? `${v.text}${v.warning ? "!" : ""}` : "-"),
      onNotify: (_g, mark) => notified.push(mark),
      onExpired: () => expired++,
    });
    ticker.start();
    assert.deepEqual(texts, ["12m"]);
    await clock.advance(30_000);
    assert.deepEqual(texts.slice(-1), ["12m"]);
    await clock.advance(2 * M);
    assert.deepEqual(texts, ["12m", "12m", "11m", "10m!"]);
    assert.deepEqual(notified, [10]);
    await clock.advance(5 * M);
    assert.deepEqual(notified, [10, 5]);
    await clock.advance(4 * M);
    assert.equal(texts.at(-1), "60s!");
    await clock.advance(59_000);
    assert.equal(texts.at(-1), "1s!");
    assert.equal(expired, 0);
    await clock.advance(1000);
    assert.equal(texts.at(-1), "-", "hidden once time is up");
    assert.equal(expired, 1);
    assert.deepEqual(notified, [10, 5], "each notification once");
    assert.equal(clock.pendingTimers, 0, "no timer while nothing runs");
    ticker.stop();
  });
});

describe("CountdownTicker across a restart", () => {
  it("does not repeat a notification the ledger already holds", async () => {
    const clock = new ManualClock(0);
    const ledger = new MemoryLedger();
    await ledger.markNotified("vm", "k", 10);
    const notified: number[] = [];
    const ticker = new CountdownTicker({ clock, grants: () => [{ vmId: "vm", expiresAt: 8 * M }], keyOf: () => "k", ledger, onTick: () => undefined, onNotify: (_g, m) => notified.push(m) });
    ticker.start();
    assert.deepEqual(notified, []);
    await clock.advance(3 * M);
    assert.deepEqual(notified, [5]);
    ticker.stop();
    assert.equal(clock.pendingTimers, 0);
  });
});
