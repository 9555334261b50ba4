/**
 * `dist/tunnel.js`: the program ssh runs as ProxyCommand, the local port forwarder, and the askpass
 * helper. A separate bundle without `vscode`; it runs under plain node or under VS Code's Electron
 * with ELECTRON_RUN_AS_NODE=1 (which is how the ssh config launches it). Usage and exit codes: args.ts.
 */
import { errorMessage } from "../core/errors";
import { redact } from "../core/redact";
import { parseTunnelArgs, USAGE } from "./args";
import { runAskpassCommand } from "./askpassCommand";
import { ExitCode } from "./exitCodes";
import { runPortCommand } from "./portCommand";
import { createStderrLogger } from "./stderrLogger";
import { runStdioCommand } from "./stdioCommand";

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseTunnelArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`azure-jit-connect: ${parsed.message}\n\n${USAGE}`);
    return ExitCode.usage;
  }
  const command = parsed.command;
  if (command.kind === "help") {
    process.stdout.write(USAGE);
    return ExitCode.ok;
  }
  const logger = createStderrLogger(command.common.verbose);
  switch (command.kind) {
    case "stdio":
      return runStdioCommand(command, logger);
    case "port":
      return runPortCommand(command, logger);
    case "askpass":
      return runAskpassCommand(command, logger);
  }
}

main(process.argv.slice(2)).then(
  // Exit explicitly: a paused stdin would otherwise keep the process alive after the relay ended.
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`azure-jit-connect: unexpected failure: ${redact(errorMessage(e))}\n`);
    process.exit(ExitCode.internal);
  },
);
