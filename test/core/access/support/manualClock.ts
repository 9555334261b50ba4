import type { Clock, TimerHandle } from "../../../../src/core/clock";

/**
 * A clock that moves only when told. Timers fire in time order as `advance` passes them, so code
 * that sleeps on the clock runs without real waiting.
 */
export class ManualClock implements Clock {
  private timers: { at: number; seq: number; cb: () => void; handle: TimerHandle }[] = [];
  private seq = 0;

  constructor(private current = Date.UTC(2030, 0, 1, 12, 0, 0)) {}

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle = { __timer: true } as TimerHandle;
    this.timers.push({ at: this.current + Math.max(0, ms), seq: this.seq++, cb: callback, handle });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.handle !== handle);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order (and yielding to promises in between). */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      // Let pending work register its timers before looking for the next one.
      await flush();
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.current = next.at;
      next.cb();
    }
    this.current = target;
    await flush();
  }
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
}
