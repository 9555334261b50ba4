/**
 * Turns termination signals into an AbortSignal, so that every path closes the WebSocket and
 * deletes the Bastion session before the process exits. A second signal exits at once.
 *
 * SIGHUP matters most: ssh sends it to its ProxyCommand when it exits (OpenSSH
 * `ssh_kill_proxy_command`), so in stdio mode it is the normal goodbye, not a failure.
 */
export interface SignalWatch {
  readonly signal: AbortSignal;
  /** The exit code chosen for the signal received, or undefined while none was. */
  exitCode(): number | undefined;
  dispose(): void;
}

export function watchTerminationSignals(exitCodes: Partial<Record<NodeJS.Signals, number>>): SignalWatch {
  const controller = new AbortController();
  let code: number | undefined;
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const [name, value] of Object.entries(exitCodes) as [NodeJS.Signals, number][]) {
    const handler = (): void => {
      if (controller.signal.aborted) process.exit(code ?? value);
      code = value;
      controller.abort();
    };
    handlers.set(name, handler);
    process.on(name, handler);
  }
  return {
    signal: controller.signal,
    exitCode: () => code,
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
