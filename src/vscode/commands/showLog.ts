import type { CommandHandler } from "./commandContext";

/** Shows the "Azure JIT Connect" output channel. */
export const showLog: CommandHandler = async (ctx) => {
  ctx.services.log.show(true);
};
