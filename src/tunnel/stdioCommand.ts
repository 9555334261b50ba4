import { runTunnelConnection } from "../core/bastion/tunnelConnection";
import { openSessionThroughBroker } from "../core/broker/brokerClient";
import { isCancellation } from "../core/cancellation";
import { errorMessage } from "../core/errors";
import type { Logger } from "../core/logger";
import type { TunnelCommand } from "./args";
import { ExitCode, exitCodeForError } from "./exitCodes";
import { watchTerminationSignals } from "./signals";

type StdioCommand = Extract<TunnelCommand, { kind: "stdio" }>;

/**
 * ssh ProxyCommand mode: relays stdin/stdout over one Bastion session. No listening port, and it
 * lives exactly as long as ssh, which is why a Remote-SSH connection survives VS Code window
 * reloads: once connected, it needs nothing from the window.
 */
export async function runStdioCommand(command: StdioCommand, logger: Logger): Promise<number> {
  const target = `${command.host}:${command.port}`;
  const signals = watchTerminationSignals({ SIGHUP: ExitCode.ok, SIGINT: ExitCode.interrupted, SIGTERM: ExitCode.terminated });
  try {
    const result = await runTunnelConnection(
      {
        target,
        openSession: (signal) => openSessionThroughBroker(command.host, command.port, { waitForBrokerMs: command.common.waitForBrokerMs, logger }, signal),
        input: process.stdin,
        output: process.stdout,
        logger,
      },
      signals.signal,
    );
    const cpu = process.cpuUsage();
    logger.debug(`cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms (user ${(cpu.user / 1000).toFixed(0)}, system ${(cpu.system / 1000).toFixed(0)})`);
    switch (result.end.kind) {
      case "localEnded":
      case "remoteClosed":
        return ExitCode.ok;
      case "aborted":
        return signals.exitCode() ?? ExitCode.ok;
      case "failed":
        logger.error(result.end.error.message);
        return result.end.error.code === "BastionRefused" ? ExitCode.refused : ExitCode.dropped;
    }
  } catch (e) {
    if (isCancellation(e)) return signals.exitCode() ?? ExitCode.ok;
    logger.error(errorMessage(e));
    return exitCodeForError(e);
  } finally {
    signals.dispose();
  }
}
