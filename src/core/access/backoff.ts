import { throwIfAborted } from "../cancellation";
import { type Clock, sleep } from "../clock";

/**
 * Polling with exponential backoff and jitter. Approvals take minutes to hours and many clients
 * poll the same PIM API, so the interval grows and is spread randomly; the clock is injected so
 * tests do not wait.
 */
export type BackoffOptions = {
  initialMs: number;
  maxMs: number;
  /** Fraction of the delay randomised in both directions (0.2 = ±20 %). */
  jitter: number;
} & (
  | {
      /** Exponential: each delay is `factor` times the previous one. */
      factor: number;
    }
  | {
      /**
       * Proportional: each delay is this fraction of the time spent polling so far (at least
       * `initialMs`), so a change is seen at most that fraction late, whatever the wait: a 2 s
       * provisioning is not seen 1 s late, and a 60 s one costs a few dozen reads, not hundreds.
       */
      fractionOfElapsed: number;
    }
);

/** Approvals take minutes to hours: grow fast, poll rarely. */
export const APPROVAL_POLL: BackoffOptions = { initialMs: 2_000, maxMs: 60_000, factor: 1.6, jitter: 0.2 };
/**
 * Provisioning (role becoming effective, NSG rule applied) takes seconds and the user is watching:
 * being late by a tenth of the wait is the budget (benchmark 8: request-to-shell within 10 % of
 * the critical path).
 */
export const PROVISIONING_POLL: BackoffOptions = { initialMs: 250, maxMs: 5_000, fractionOfElapsed: 0.1, jitter: 0.2 };

/**
 * The delay before poll number `attempt` (0-based), `elapsedMs` after polling started.
 * `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random, elapsedMs = 0): number {
  const grown = "factor" in options ? options.initialMs * options.factor ** Math.max(0, attempt) : Math.max(options.initialMs, elapsedMs * options.fractionOfElapsed);
  const base = Math.min(options.maxMs, grown);
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
    const delay = backoffDelay(attempt, options.backoff, options.random, options.clock.now() - started);
    if (options.timeoutMs !== undefined && options.clock.now() + delay - started > options.timeoutMs) return undefined;
    await sleep(options.clock, delay, options.signal);
  }
}
