import { CancellationError } from "./cancellation";

/**
 * Time as a port, so that countdown maths, polling and expiry are tested with an injected clock.
 * `now()` is milliseconds since the epoch, like Date.now().
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly __timer: true;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const t = setTimeout(callback, ms);
    t.unref?.();
    return t as unknown as TimerHandle;
  },
  clearTimeout: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout),
};

/** Waits `ms` on the given clock; rejects with CancellationError if the signal aborts first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new CancellationError());
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(new CancellationError());
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A clock that follows the server's time: `now()` = local time + the skew last observed from a
 * server's HTTP `Date` header. Azure and the user's machine disagree by seconds to minutes in the
 * field; expiries are decided on the server's clock, so the countdown must be too.
 */
export class ServerSkewClock implements Clock {
  private skewMs = 0;
  private readonly listeners = new Set<(skewMs: number) => void>();
  constructor(private readonly base: Clock = systemClock) {}

  /**
   * Called when the skew changes by more than the header's resolution: timers scheduled on local
   * time (countdown ticks, expiry) must then be recomputed, or an expiry that the server's clock
   * has already passed would only be noticed at the next scheduled tick.
   */
  onDidChangeSkew(listener: (skewMs: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records a server `Date` header (RFC 7231, one-second resolution). Ignores unparsable values. */
  observeServerDate(header: string | undefined, receivedAtLocalMs = this.base.now()): void {
    if (!header) return;
    const serverMs = Date.parse(header);
    if (Number.isNaN(serverMs)) return;
    // The header truncates to whole seconds, so the server's time lies in [serverMs, serverMs + 1000).
    const skew = serverMs + 500 - receivedAtLocalMs;
    // Differences that truncation and transit can explain are noise, not skew.
    const next = Math.abs(skew) < 1500 ? 0 : skew;
    const changed = Math.abs(next - this.skewMs) >= 1500;
    this.skewMs = next;
    if (changed) for (const l of [...this.listeners]) l(next);
  }

  get skew(): number {
    return this.skewMs;
  }

  now(): number {
    return this.base.now() + this.skewMs;
  }
  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.base.setTimeout(callback, ms);
  }
  clearTimeout(handle: TimerHandle): void {
    this.base.clearTimeout(handle);
  }
}
