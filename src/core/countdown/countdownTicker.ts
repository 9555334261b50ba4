import type { Clock, TimerHandle } from "../clock";
import { countdownView, type CountdownView, type Expiring } from "./countdown";
import { dueNotifications, nextNotificationDelay, type NotificationLedger } from "./notifications";

export interface CountdownTickerOptions<T extends Expiring> {
  /** Azure's clock (a ServerSkewClock); its timers drive the ticks. */
  clock: Clock;
  grants: () => readonly T[];
  keyOf: (grant: T) => string;
  ledger: NotificationLedger;
  /** Minutes before expiry at which to notify (default NOTIFICATION_MARKS_MIN: 10 and 5). */
  marks?: readonly number[];
  /** The status bar: called on every tick with what to show (undefined: hide). */
  onTick: (view: CountdownView<T> | undefined) => void;
  /** A T-10 / T-5 notification is due (each is announced once per grant, across restarts). */
  onNotify: (grant: T, mark: number) => void;
  /** Some grant's time is up (the access machine then records it as expired). */
  onExpired?: () => void;
}

/**
 * Schedules the countdown: ticks on minute boundaries (every second in the last minute), fires the
 * notifications and reports expiry. Timers are only set while a grant runs.
 */
export class CountdownTicker<T extends Expiring> {
  private timer: TimerHandle | undefined;
  private stopped = true;

  constructor(private readonly options: CountdownTickerOptions<T>) {}

  start(): void {
    this.stopped = false;
    this.tick();
  }

  /** Recompute now (a grant was added, extended or removed). */
  refresh(): void {
    if (!this.stopped) this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const { clock, ledger, keyOf } = this.options;
    const now = clock.now();
    const grants = this.options.grants();
    if (grants.some((g) => g.expiresAt <= now)) this.options.onExpired?.();
    const view = countdownView(grants, now);
    this.options.onTick(view);
    for (const due of dueNotifications(grants, now, keyOf, ledger, this.options.marks)) {
      this.options.onNotify(due.grant, due.mark);
      for (const mark of due.covers) void ledger.markNotified(due.grant.vmId, keyOf(due.grant), mark);
    }
    const live = grants.filter((g) => g.expiresAt > now);
    const delays = [view?.nextTickMs, nextNotificationDelay(live, now, this.options.marks), ...live.map((g) => g.expiresAt - now)].filter((d): d is number => d !== undefined && d > 0);
    if (delays.length > 0 && !this.stopped) this.timer = clock.setTimeout(() => this.tick(), Math.min(...delays));
  }
}
