/**
 * Remaining-time maths for the status-bar countdown. Pure: every function takes `now`. Times are ms
 * since the epoch on Azure's clock (a ServerSkewClock), because Azure decides when access ends.
 */

/** The countdown turns to a warning when this little time is left. */
export const WARNING_THRESHOLD_MS = 10 * 60_000;

/** Anything with an end: a Grant fits. */
export interface Expiring {
  vmId: string;
  expiresAt: number;
}

/** The grant that ends first (the one the status bar shows). */
export function earliestExpiry<T extends Expiring>(grants: readonly T[], now?: number): T | undefined {
  let best: T | undefined;
  for (const g of grants) {
    if (now !== undefined && g.expiresAt <= now) continue;
    if (!best || g.expiresAt < best.expiresAt) best = g;
  }
  return best;
}

/**
 * "1h 05m", "42m", "45s". Minutes are rounded down (42m59s shows 42m) and the last minute counts
 * seconds rounded up, so the display reads "0s" only when time is up.
 */
export function formatRemaining(remainingMs: number): string {
  if (remainingMs <= 0) return "0s";
  if (remainingMs <= 60_000) return `${Math.ceil(remainingMs / 1000)}s`;
  const totalMinutes = Math.floor(remainingMs / 60_000);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  return hours > 0 ? `${hours}h ${String(minutes).padStart(2, "0")}m` : `${minutes}m`;
}

export function isWarning(remainingMs: number): boolean {
  return remainingMs <= WARNING_THRESHOLD_MS;
}

/**
 * Delay until the displayed text next changes: the next minute boundary, or the next second in the
 * last minute. Undefined once time is up (nothing left to tick).
 */
export function nextTickDelay(remainingMs: number): number | undefined {
  if (remainingMs <= 0) return undefined;
  if (remainingMs <= 60_000) return remainingMs % 1000 || 1000;
  return remainingMs % 60_000 || 60_000;
}

export interface CountdownView<T extends Expiring = Expiring> {
  grant: T;
  remainingMs: number;
  text: string;
  warning: boolean;
  /** When to recompute, in ms from now. */
  nextTickMs?: number;
}

/** What the status bar shows now, or undefined when no grant is running. */
export function countdownView<T extends Expiring>(grants: readonly T[], now: number): CountdownView<T> | undefined {
  const grant = earliestExpiry(grants, now);
  if (!grant) return undefined;
  const remainingMs = grant.expiresAt - now;
  return { grant, remainingMs, text: formatRemaining(remainingMs), warning: isWarning(remainingMs), nextTickMs: nextTickDelay(remainingMs) };
}
