import { escapeForDisplay } from "./redact";

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

/**
 * A Logger whose every line is safe to read: the message and its arguments go through
 * `escapeForDisplay` (an Error's message is escaped; its stack frames, which name only our code,
 * stay on their own lines). Wraps the log file's channel and the tunnel's stderr.
 */
export function displaySafeLogger<L extends Logger>(inner: L): L {
  const escapeArgs = (args: unknown[]): unknown[] => args.map((a) => (typeof a === "string" ? escapeForDisplay(a) : a instanceof Error ? errorText(a) : a));
  const wrap =
    (level: "trace" | "debug" | "info" | "warn") =>
    (message: string, ...args: unknown[]): void =>
      inner[level](escapeForDisplay(message), ...escapeArgs(args));
  const safe: Logger = {
    trace: wrap("trace"),
    debug: wrap("debug"),
    info: wrap("info"),
    warn: wrap("warn"),
    error: (message: string | Error, ...args: unknown[]) => inner.error(message instanceof Error ? errorText(message) : escapeForDisplay(message), ...escapeArgs(args)),
  };
  // The other members (VS Code's channel: show, logLevel, …) are inherited from the wrapped object.
  // Not a Proxy: VS Code freezes its channel, and a Proxy may not change a frozen property.
  const wrapper = Object.create(inner) as L;
  for (const key of Object.keys(safe) as (keyof Logger)[]) Object.defineProperty(wrapper, key, { value: safe[key], enumerable: true });
  return wrapper;
}

/** `Name: escaped message` followed by the stack frames (lines starting with "at"). */
function errorText(e: Error): string {
  const frames = (e.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line));
  return [`${e.name}: ${escapeForDisplay(e.message)}`, ...frames].join("\n");
}
