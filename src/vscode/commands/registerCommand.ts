import * as vscode from "vscode";
import { isCancellation } from "../../core/cancellation";
import type { Services } from "../services";
import type { CommandContext, CommandHandler } from "./commandContext";
import type { CommandId } from "./commandIds";

export interface CommandOutcome {
  id: CommandId;
  ok: boolean;
  cancelled: boolean;
  error?: unknown;
  durationMs: number;
}

/**
 * The one way commands are registered (house style, practice 6): every handler is logged and
 * timed, cancellation ends it silently, and any other failure goes to the ErrorPresenter (with a
 * Retry that runs the same command with the same arguments). Handlers never show errors themselves.
 */
export class CommandRegistry implements vscode.Disposable {
  private readonly registrations: vscode.Disposable[] = [];
  private readonly outcomes = new vscode.EventEmitter<CommandOutcome>();
  /** Every finished command (the extension-host tests watch it). */
  readonly onDidFinish = this.outcomes.event;

  constructor(private readonly services: Services) {}

  register(id: CommandId, handler: CommandHandler): void {
    const { log, errors } = this.services;
    this.registrations.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]): Promise<void> => {
        const started = performance.now();
        const ctx: CommandContext = { services: this.services };
        log.debug(`${id}: started`);
        try {
          await handler(ctx, ...args);
          const durationMs = Math.round(performance.now() - started);
          log.debug(`${id}: done in ${durationMs} ms`);
          this.outcomes.fire({ id, ok: true, cancelled: false, durationMs });
        } catch (error) {
          const durationMs = Math.round(performance.now() - started);
          const cancelled = isCancellation(error);
          this.outcomes.fire({ id, ok: false, cancelled, error, durationMs });
          // Not awaited: the notification may stay open; the command itself is over.
          void errors.show(error, { operation: `${id} (${durationMs} ms)`, vmId: ctx.vmId, retry: () => vscode.commands.executeCommand(id, ...args) });
        }
      }),
    );
  }

  dispose(): void {
    for (const r of this.registrations) r.dispose();
    this.outcomes.dispose();
  }
}
