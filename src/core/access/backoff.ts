import { throwIfAborted } from "../cancellation";
import { type Clock, sleep } from "../clock";

/**
 * Polling with exponential backoff and jitter. Approvals take minutes to hours and many clients
 * poll the same PIM API, so the interval grows and is spread randomly; the clock is injected so
 * tests do not wait.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Fraction of the delay randomised in both directions (0.2 = ±20 %). */
  jitter: number;
}

export const APPROVAL_POLL: BackoffOptions = { initialMs: 2_000, maxMs: 60_000, factor: 1.6, jitter: 0.2 };
export const PROVISIONING_POLL: BackoffOptions = { initialMs: 500, maxMs: 10_000, factor: 1.5, jitter: 0.2 };

/** The delay before poll number `attempt` (0-based). `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt));
  const spread = base * options.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}

export interface PollOptions {
  clock: Clock;
  backoff: BackoffOptions;
  /** Give up after this long (on `clock`); undefined polls until the signal aborts. */
  timeoutMs?: number;
  random?: () => number;
  signal?: AbortSignal;
}

/**
 * Calls `probe` until it returns a value, sleeping with backoff in between. Resolves `undefined` when
 * `timeoutMs` passes first; rejects with CancellationError when the signal aborts.
 */
export async function pollUntil<T>(options: PollOptions, probe: (attempt: number) => Promise<T | undefined>): Promise<T | undefined> {
  const started = options.clock.now();
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options.signal);
    const value = await probe(attempt);
    if (value !== undefined) return value;
    const delay = backoffDelay(attempt, options.backoff, options.random);
    if (options.timeoutMs !== undefined && options.clock.now() + delay - started > options.timeoutMs) return undefined;
    await sleep(options.clock, delay, options.signal);
  }
}
