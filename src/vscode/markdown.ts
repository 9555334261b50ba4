/**
 * Markdown helpers for tooltips and reports. Text that comes from Azure (VM names, tags, reasons
 * quoting them) is escaped, so that a VM named `[x](command:…)` renders as text, never as a link.
 */
import { escapeForDisplay } from "../core/redact";

/** Escapes Markdown syntax (and HTML) in one line of untrusted text. */
export function escapeMarkdown(text: string): string {
  return escapeForDisplay(text.replace(/\r?\n/g, " ")).replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

/** A table cell: escaped, one line. */
export function markdownCell(text: string | number | undefined): string {
  return text === undefined || text === "" ? " " : escapeMarkdown(String(text));
}

/** A `command:` link with JSON arguments, as VS Code's trusted Markdown expects. */
export function commandLink(label: string, command: string, args: readonly unknown[] = []): string {
  const query = args.length > 0 ? `?${encodeURIComponent(JSON.stringify(args))}` : "";
  return `[${escapeMarkdown(label)}](command:${command}${query})`;
}
