import type { CommandHandler } from "./commandContext";
import { signedInService } from "./vmTarget";

/** Reloads the eligible VMs, with progress in the view. */
export const refresh: CommandHandler = async (ctx) => {
  await signedInService(ctx);
  await ctx.services.refresher.refresh({ interactive: true });
};
