import type { Clock, TimerHandle } from "../clock";

/**
 * The relay's keepalive: a ping every interval, and the tunnel declared dead when nothing at all
 * (message, pong or upstream progress, reported through `heard`) came in for a whole interval after
 * a ping, unless the silence does not count (we are the ones not reading, or the relay is closing).
 */
export class RelayKeepalive {
  private heardSincePing = true;
  private pinged = false;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly options: {
      /** 0 disables the keepalive. */
      intervalMs: number;
      clock: Clock;
      /** Whether pinging still makes sense (the socket is open and not closing). */
      active: () => boolean;
      /** Whether silence now means the Bastion is gone. */
      silenceCounts: () => boolean;
      ping: () => void;
      onDead: (silentSeconds: number) => void;
    },
  ) {}

  start(): void {
    if (this.options.intervalMs <= 0) return;
    this.timer = this.options.clock.setTimeout(this.onTimer, this.options.intervalMs);
  }

  /** Something came from the Bastion, or our data went out. */
  heard(): void {
    this.heardSincePing = true;
  }

  stop(): void {
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (!this.options.active()) return;
    if (this.pinged && !this.heardSincePing && this.options.silenceCounts()) {
      this.options.onDead(Math.round(this.options.intervalMs / 1000));
      return;
    }
    this.heardSincePing = false;
    this.pinged = true;
    this.options.ping();
    this.start();
  };
}
