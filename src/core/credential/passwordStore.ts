import { systemClock, type Clock, type TimerHandle } from "../clock";
import { JitError } from "../errors";
import { isHostAlias } from "../ssh/hostAlias";
import { describeUntrusted } from "../ssh/untrustedText";

/**
 * VM passwords, kept in the extension's memory only: never on disk, in argv, in an environment or
 * in a log. Each is dropped at its expiry (on the injected clock), on `delete`, and on `clear`
 * (deactivate, shutdown).
 *
 * How ssh gets one (askpass): the host block disables public keys and prefers password and
 * keyboard-interactive authentication. The terminal or Remote-SSH process that runs ssh gets
 * `SSH_ASKPASS=<launcher> askpass` (our launcher runs `tunnel.js askpass`), `SSH_ASKPASS_REQUIRE=force`
 * so ssh asks the helper even with a terminal, and `AZURE_JIT_ASKPASS_HOST=<alias>`, which is not a
 * secret. When ssh prompts, the helper asks the extension for `<alias>` over the broker's user-only
 * IPC channel (a Unix socket in a 0700 folder, or a named pipe on Windows), which answers with
 * `get(alias)`, and prints the password to ssh on its stdout. The password thus crosses only the
 * IPC channel and a pipe between two of the user's processes.
 */
export class PasswordStore {
  private readonly entries = new Map<string, { password: string; expiresAt: number; timer: TimerHandle }>();

  constructor(private readonly clock: Clock = systemClock) {}

  /** Keeps `password` for `alias` until `expiresAt` (epoch ms), replacing any earlier one. */
  set(alias: string, password: string, expiresAt: number): void {
    if (!isHostAlias(alias)) throw new JitError("InvalidInput", `Not an Azure JIT Connect host alias: ${describeUntrusted(alias)}.`);
    this.delete(alias);
    const delay = expiresAt - this.clock.now();
    if (delay <= 0) return;
    // Long accesses chain waits: Node timers overflow above 2^31-1 ms. `get` checks the expiry anyway.
    const timer = this.clock.setTimeout(() => this.expire(alias), Math.min(delay, 2 ** 31 - 1));
    this.entries.set(alias, { password, expiresAt, timer });
  }

  /** The password for `alias` while it is valid; undefined otherwise. What the broker's askpass request serves. */
  get(alias: string): string | undefined {
    const entry = this.entries.get(alias);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock.now()) {
      this.delete(alias);
      return undefined;
    }
    return entry.password;
  }

  /** Moves the expiry of a kept password (access was extended); no-op when none is kept. */
  extend(alias: string, expiresAt: number): void {
    const password = this.get(alias);
    if (password !== undefined) this.set(alias, password, expiresAt);
  }

  /** True while a valid password is kept for `alias`. */
  has(alias: string): boolean {
    return this.get(alias) !== undefined;
  }

  delete(alias: string): void {
    const entry = this.entries.get(alias);
    if (!entry) return;
    this.clock.clearTimeout(entry.timer);
    this.entries.delete(alias);
  }

  /** Forgets every password (deactivate, shutdown). */
  clear(): void {
    for (const alias of [...this.entries.keys()]) this.delete(alias);
  }

  private expire(alias: string): void {
    const entry = this.entries.get(alias);
    if (!entry) return;
    if (entry.expiresAt > this.clock.now()) {
      const password = entry.password;
      this.set(alias, password, entry.expiresAt);
      return;
    }
    this.entries.delete(alias);
  }
}
