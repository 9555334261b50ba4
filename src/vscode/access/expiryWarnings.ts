import type { Localizer } from "../localizer";

/**
 * One warning per expiry moment: the grants that reach the same mark (T-10, T-5) in the same tick
 * are named in one notification, not one each. Pure (node:test), with `vscode.l10n` passed in.
 */
export function expiryWarningMessage(vmNames: readonly string[], minutesLeft: number, l10n: Localizer): string {
  const names = [...new Set(vmNames)].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  if (names.length === 1) return l10n.t("Access to {0} ends in {1} minutes.", names[0]!, minutesLeft);
  return l10n.t("Access to {0} VMs ends in {1} minutes: {2}.", names.length, minutesLeft, names.join(", "));
}

/**
 * Collects the warnings fired in one tick (the countdown fires every due one synchronously) and
 * hands them on grouped by mark, once the tick is over.
 */
export class ExpiryWarningBatcher<T> {
  private readonly pending = new Map<number, T[]>();

  constructor(private readonly flush: (minutesLeft: number, items: readonly T[]) => void) {}

  add(item: T, minutesLeft: number): void {
    const first = this.pending.size === 0;
    const list = this.pending.get(minutesLeft) ?? [];
    list.push(item);
    this.pending.set(minutesLeft, list);
    if (first) queueMicrotask(() => this.drain());
  }

  private drain(): void {
    const batches = [...this.pending.entries()].sort(([a], [b]) => a - b);
    this.pending.clear();
    for (const [minutesLeft, items] of batches) this.flush(minutesLeft, items);
  }
}
