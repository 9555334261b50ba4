import { escapeForDisplay } from "../core/redact";

/**
 * The arguments of a `show*Message` call with the text made safe to show (pure, so node:test covers
 * it): the message through `escapeForDisplay`, a modal's `detail` too (keeping its line breaks);
 * the items (our own button labels) unchanged.
 */
export function displaySafeMessageArgs(message: string, rest: readonly unknown[]): [string, ...unknown[]] {
  const [first, ...items] = rest;
  if (first !== null && typeof first === "object" && !("title" in first)) {
    const options = first as { detail?: string };
    const detail = options.detail === undefined ? {} : { detail: escapeForDisplay(options.detail, { keepNewlines: true }) };
    return [escapeForDisplay(message), { ...options, ...detail }, ...items];
  }
  return [escapeForDisplay(message), ...rest];
}
