import type { Services } from "../services";

/** What every command handler gets: the services, and a slot for the VM it turned out to act on. */
export interface CommandContext {
  readonly services: Services;
  /** Set once the VM is known (from the tree, an argument or the quick pick): error buttons act on it. */
  vmId?: string;
}

/** One command: `(context, ...arguments VS Code passed)`. Throws to report a failure (never shows it). */
export type CommandHandler = (ctx: CommandContext, ...args: unknown[]) => Promise<void>;
