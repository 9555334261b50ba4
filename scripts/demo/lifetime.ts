/**
 * What the demo started, stopped in reverse order of starting (Chromium, then code-server and its
 * process group, then the simulator with every sshd, then the run's folders) on every way out:
 * normal end, error, Ctrl+C, SIGTERM, SIGHUP (terminal closed).
 */
export class Lifetime {
  private readonly stack: { name: string; stop: () => Promise<void> | void }[] = [];
  private stopping: Promise<boolean> | undefined;

  /** Registers a stopper; returns a function that unregisters it (after stopping by hand). */
  add(name: string, stop: () => Promise<void> | void): () => void {
    const entry = { name, stop };
    this.stack.push(entry);
    return () => {
      const i = this.stack.indexOf(entry);
      if (i >= 0) this.stack.splice(i, 1);
    };
  }

  /** True once stopping has begun (then a dying child is expected, not news). */
  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  /**
   * Called before starting anything: once a signal began stopping, the start sequence must not
   * spawn what the stoppers already swept.
   */
  throwIfStopping(): void {
    if (this.stopping) throw new StoppingError();
  }

  /** Stops everything once; resolves true when every stopper succeeded. */
  stopAll(log: (line: string) => void): Promise<boolean> {
    return (this.stopping ??= (async () => {
      let ok = true;
      while (this.stack.length > 0) {
        const { name, stop } = this.stack.pop()!;
        try {
          await stop();
        } catch (error) {
          ok = false;
          log(`stopping ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return ok;
    })());
  }

  /**
   * On SIGINT, SIGTERM or SIGHUP: stop everything, then exit (0 after a clean stop: Ctrl+C is how
   * the demo is meant to end). Listeners stay installed while stopping, so a second Ctrl+C does not
   * kill the process halfway and strand code-server or an sshd; a third one says what is left.
   */
  exitOnSignals(log: (line: string) => void, onStopped: (ok: boolean, signal: NodeJS.Signals) => void): void {
    let count = 0;
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.on(sig, () => {
        count++;
        if (count === 1) {
          log(`\n${sig}: stopping code-server, Chromium, the simulator and its VMs...`);
          void this.stopAll(log).then((ok) => onStopped(ok, sig));
        } else {
          log(`still stopping (${this.stack.map((s) => s.name).join(", ") || "almost done"})...`);
        }
      });
    }
  }
}

/** The start sequence gave up because the demo is being stopped (not a failure to report). */
export class StoppingError extends Error {
  constructor() {
    super("stopping");
  }
}
