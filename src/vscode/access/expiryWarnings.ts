import type { Localizer } from "../localizer";

/**
 * One warning per expiry moment: the grants that reach the same mark (T-10, T-5) in the same tick
 * are named in one notification, not one each. Pure (node:test), with `vscode.l10n` passed in.
 */
export function expiryWarningMessage(vmNames: readonly string[], minutesLeft: number, l10n: Localizer): string {
  // Brackets could shape a link in a notification's text; no Azure VM name has them.
  const names = [...new Set(vmNames.map((n) => n.replace(/[[\]]/g, "")))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
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

/** A grant as it was when warned about: the warning stays true while the grant runs and ends then. */
export interface WarnedGrant {
  vmId: string;
  vmName: string;
  expiresAt: number;
}

/**
 * The grants a warning still speaks truly of: still running, and not extended past the end it
 * announced. A warning left with none is withdrawn.
 */
export function stillWarranted(warned: readonly WarnedGrant[], current: (vmId: string) => { expiresAt: number } | undefined): WarnedGrant[] {
  return warned.filter((w) => {
    const now = current(w.vmId);
    return now !== undefined && now.expiresAt <= w.expiresAt;
  });
}

/** The `command:` link for Extend: the one VM, or none (the command then asks which). */
export function extendCommandLink(warned: readonly WarnedGrant[]): string {
  const ids = [...new Set(warned.map((w) => w.vmId))];
  return ids.length === 1 ? `command:azureJit.extendAccess?${encodeURIComponent(JSON.stringify([ids[0]]))}` : "command:azureJit.extendAccess";
}
