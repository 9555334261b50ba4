/**
 * The simulated clock: real time plus an offset that `POST /_sim/clock {advanceSeconds}` grows.
 * Time keeps flowing (so delays such as "JIT opens after 2 s" happen by themselves) and can jump
 * forward (so an 8-hour PIM activation can expire in a test). Everything time-dependent in the
 * simulator (token exp/nbf, PIM and JIT expiry, the Date header) reads this clock and derives state
 * lazily from timestamps, so a jump needs no timers.
 */
export class SimClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Moves time forward (never backward: expiries that happened stay happened). */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError("advanceSeconds must be a non-negative number");
    this.offsetMs += Math.round(seconds * 1000);
  }
}
