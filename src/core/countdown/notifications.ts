import type { Expiring } from "./countdown";

/** Minutes before the end at which the user is told (once per grant each). */
export const NOTIFICATION_MARKS_MIN: readonly number[] = [10, 5];

/**
 * Which notifications were already shown. The grant store implements it, so a restart does not show
 * them again. `grantKey` identifies one grant instance (an extended grant notifies afresh).
 */
export interface NotificationLedger {
  wasNotified(vmId: string, grantKey: string, mark: number): boolean;
  markNotified(vmId: string, grantKey: string, mark: number): Promise<void>;
}

export interface DueNotification<T extends Expiring> {
  grant: T;
  /** Minutes before the end this notification stands for (10 or 5). */
  mark: number;
  /** Marks that are past as well and count as shown (a restart at T-3 says "5 min" once, not twice). */
  covers: number[];
}

/**
 * Notifications due now: per grant, the tightest mark already reached that was not shown. Earlier
 * marks passed meanwhile are covered by it (not shown separately).
 */
export function dueNotifications<T extends Expiring>(grants: readonly T[], now: number, keyOf: (grant: T) => string, ledger: Pick<NotificationLedger, "wasNotified">, marks: readonly number[] = NOTIFICATION_MARKS_MIN): DueNotification<T>[] {
  const due: DueNotification<T>[] = [];
  for (const grant of grants) {
    const remaining = grant.expiresAt - now;
    if (remaining <= 0) continue;
    const reached = marks.filter((m) => remaining <= m * 60_000).sort((a, b) => a - b);
    const tightest = reached[0];
    if (tightest === undefined || ledger.wasNotified(grant.vmId, keyOf(grant), tightest)) continue;
    due.push({ grant, mark: tightest, covers: reached });
  }
  return due;
}

/** Delay until the next mark of any grant is reached (to schedule a timer), or undefined. */
export function nextNotificationDelay<T extends Expiring>(grants: readonly T[], now: number, marks: readonly number[] = NOTIFICATION_MARKS_MIN): number | undefined {
  let best: number | undefined;
  for (const g of grants) {
    for (const m of marks) {
      const at = g.expiresAt - m * 60_000;
      if (at > now && (best === undefined || at - now < best)) best = at - now;
    }
  }
  return best;
}
