import { startLocalForwarder } from "../core/bastion/localForwarder";
import { askBroker, openSessionThroughBroker } from "../core/broker/brokerClient";
import { errorMessage } from "../core/errors";
import type { Logger } from "../core/logger";
import type { TunnelCommand } from "./args";
import { ExitCode, exitCodeForError } from "./exitCodes";
import { watchTerminationSignals } from "./signals";

type PortCommand = Extract<TunnelCommand, { kind: "port" }>;

/** The line port mode prints on stdout once it listens (one JSON object, then nothing else). */
export interface ReadyLine {
  event: "ready";
  host: string;
  address: string;
  port: number;
  remotePort: number;
  pid: number;
}

/**
 * Port mode: listens on 127.0.0.1 only and tunnels every accepted connection through its own
 * session, concurrently, until stopped by a signal (which is how callers stop it: exit 0).
 */
export async function runPortCommand(command: PortCommand, logger: Logger): Promise<number> {
  const target = `${command.host}:${command.remotePort}`;
  const signals = watchTerminationSignals({ SIGHUP: ExitCode.ok, SIGINT: ExitCode.ok, SIGTERM: ExitCode.ok });
  const clientOptions = { waitForBrokerMs: command.common.waitForBrokerMs, logger };
  try {
    // Fail now, with the reason, rather than on the first connection.
    const notRunning = `Azure JIT Connect is not running in any VS Code window: open VS Code and run Request access for ${command.host}`;
    await askBroker("ping", {}, notRunning, clientOptions, signals.signal);
    const forwarder = await startLocalForwarder(
      {
        target,
        localPort: command.localPort,
        openSession: (signal) => openSessionThroughBroker(command.host, command.remotePort, clientOptions, signal),
        logger,
      },
      signals.signal,
    );
    const ready: ReadyLine = { event: "ready", host: command.host, address: forwarder.address, port: forwarder.port, remotePort: command.remotePort, pid: process.pid };
    process.stdout.write(`${JSON.stringify(ready)}\n`);
    if (!signals.signal.aborted) await new Promise<void>((resolve) => signals.signal.addEventListener("abort", () => resolve(), { once: true }));
    await forwarder.close();
    return signals.exitCode() ?? ExitCode.ok;
  } catch (e) {
    if (signals.signal.aborted) return signals.exitCode() ?? ExitCode.ok;
    logger.error(errorMessage(e));
    return exitCodeForError(e);
  } finally {
    signals.dispose();
  }
}
