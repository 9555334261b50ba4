import { grantKey, type Grant } from "../access/grant";
import type { GrantStore } from "../access/grantStore";
import type { ServerSkewClock } from "../clock";
import type { CountdownView } from "../countdown/countdown";
import { CountdownTicker } from "../countdown/countdownTicker";
import { NOTIFICATION_MARKS_MIN } from "../countdown/notifications";

export interface GrantCountdownOptions {
  grants: GrantStore;
  /** The status bar: what to show now (undefined: nothing runs). */
  onTick: (view: CountdownView<Grant> | undefined) => void;
  /** A warning mark (T-10, T-5) was reached for a grant; announced once per grant, across restarts. */
  onNotify: (grant: Grant, minutesLeft: number) => void;
  /** Some grant's end has passed: the access machine settles it. */
  onExpired: () => void;
}

/** The countdown of the running grants, on Azure's clock, restarted when the warning marks change. */
export class GrantCountdown {
  private ticker: CountdownTicker<Grant> | undefined;
  private unsubscribeSkew: (() => void) | undefined;

  constructor(private readonly options: GrantCountdownOptions) {}

  start(clock: ServerSkewClock, marks: readonly number[] = NOTIFICATION_MARKS_MIN): void {
    this.stop();
    const { grants, onTick, onNotify, onExpired } = this.options;
    this.ticker = new CountdownTicker<Grant>({ clock, grants: () => grants.grants(), keyOf: grantKey, ledger: grants, marks, onTick, onNotify, onExpired });
    this.ticker.start();
    // Azure's clock moved relative to ours (or our idea of it was corrected): re-evaluate expiries now.
    this.unsubscribeSkew = clock.onDidChangeSkew(() => this.ticker?.refresh());
  }

  /** Recompute now (a grant was added, extended or removed). */
  refresh(): void {
    this.ticker?.refresh();
  }

  stop(): void {
    this.ticker?.stop();
    this.ticker = undefined;
    this.unsubscribeSkew?.();
    this.unsubscribeSkew = undefined;
  }
}
