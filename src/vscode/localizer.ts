/**
 * The part of `vscode.l10n` that the pure presentation modules (tree labels, countdown text,
 * reports) take as a parameter, so that node:test can run them without VS Code. The extension
 * passes `vscode.l10n` itself; tests pass `formatOnly`. Call sites keep the `l10n.t("…")` shape so
 * that the bundle test finds every message.
 */
export interface Localizer {
  t(message: string, ...args: Array<string | number | boolean>): string;
}

/** Substitutes `{0}`, `{1}`… without translating (tests, and the English bundle). */
export const formatOnly: Localizer = {
  t: (message, ...args) => message.replace(/\{(\d+)\}/g, (whole, index: string) => (Number(index) < args.length ? String(args[Number(index)]) : whole)),
};
