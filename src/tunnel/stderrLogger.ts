import { formatWithOptions } from "node:util";
import type { Logger } from "../core/logger";
import { escapeForDisplay, redact } from "../core/redact";

const PREFIX = "azure-jit-connect";

/**
 * The tunnel's Logger: stderr, which ssh shows in the terminal and Remote-SSH copies to its log.
 * Quiet by default (errors only, one line each, so a user sees exactly what to do); `--verbose`
 * adds timestamped diagnostics. Everything is redacted on the way out.
 */
export function createStderrLogger(verbose: boolean, write: (line: string) => void = (l) => void process.stderr.write(l)): Logger {
  const started = Date.now();
  const emit = (level: string, message: string | Error, args: unknown[]): void => {
    const text = redact(formatWithOptions({ colors: false, breakLength: Infinity }, message instanceof Error ? message.message : message, ...args));
    const line = verbose ? `${PREFIX} [${level} +${Date.now() - started}ms] ${text}` : `${PREFIX}: ${text}`;
    // One line per message, and nothing in it that a terminal would interpret (ESC, C1, bidi).
    write(`${escapeForDisplay(line.replace(/\r?\n/g, " "))}\n`);
  };
  const off = (): void => undefined;
  return {
    trace: verbose ? (m, ...a) => emit("trace", m, a) : off,
    debug: verbose ? (m, ...a) => emit("debug", m, a) : off,
    info: verbose ? (m, ...a) => emit("info", m, a) : off,
    warn: verbose ? (m, ...a) => emit("warn", m, a) : off,
    error: (m, ...a) => emit("error", m, a),
  };
}
