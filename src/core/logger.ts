/**
 * The logging port: a structural subset of VS Code's `LogOutputChannel`, so the extension passes its
 * one channel straight in, and the tunnel process passes a stderr writer. Never log secrets: tokens,
 * keys, passwords and Bastion session tokens are redacted by the callers (see redact.ts).
 */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

export const nullLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
