import * as vscode from "vscode";
import type { Grant } from "../../core/access/grant";
import { escapeForDisplay } from "../../core/redact";
import { extendCommandLink, expiryWarningMessage, stillWarranted, type WarnedGrant } from "./expiryWarnings";

interface Notice {
  warned: WarnedGrant[];
  minutesLeft: number;
  /** Set once the notification exists; until then `closed` records an early withdrawal. */
  report?: (message: string) => void;
  resolve?: () => void;
  closed: boolean;
}

/**
 * The T-10 / T-5 warnings as notifications that can be withdrawn. `show*Message` toasts cannot be
 * closed by an extension, so each warning is a progress notification (no spinner work, no Cancel)
 * whose text carries an Extend link; it closes when it stops being true: every grant it names was
 * extended or has ended (here, in the portal, anywhere: `reconcile` runs on every change read from
 * Azure), or a later mark replaced it for those VMs. The text is updated when only some stop.
 */
export class ExpiryNotices implements vscode.Disposable {
  private readonly open = new Set<Notice>();

  constructor(private readonly currentGrant: (vmId: string) => Grant | undefined) {}

  show(grants: readonly Grant[], minutesLeft: number): void {
    const sameVm = (a: { vmId: string }, b: { vmId: string }): boolean => a.vmId.toLowerCase() === b.vmId.toLowerCase();
    // A VM is spoken of by one warning, the one closest to its end: a later mark replaces an earlier
    // one, and an earlier mark due in the same tick as a later one is not shown.
    const closer = [...this.open].filter((n) => n.minutesLeft <= minutesLeft).flatMap((n) => n.warned);
    const warned = grants.filter((g) => !closer.some((c) => sameVm(c, g))).map((g) => ({ vmId: g.vmId, vmName: g.vmName, expiresAt: g.expiresAt }));
    if (warned.length === 0) return;
    for (const n of [...this.open]) {
      if (n.minutesLeft <= minutesLeft) continue;
      n.warned = n.warned.filter((w) => !warned.some((x) => sameVm(x, w)));
      this.update(n);
    }
    const notice: Notice = { warned, minutesLeft, closed: false };
    this.open.add(notice);
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification }, (progress) => {
      if (notice.closed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        notice.resolve = resolve;
        notice.report = (message) => progress.report({ message });
        this.update(notice);
      });
    });
  }

  /** Withdraws or shortens the warnings that stopped being true (after any change of access). */
  reconcile(): void {
    for (const n of [...this.open]) {
      n.warned = stillWarranted(n.warned, (vmId) => this.currentGrant(vmId));
      this.update(n);
    }
  }

  private update(n: Notice): void {
    if (n.warned.length === 0) {
      n.closed = true;
      this.open.delete(n);
      n.resolve?.();
      return;
    }
    const text = escapeForDisplay(expiryWarningMessage(n.warned.map((w) => w.vmName), n.minutesLeft, vscode.l10n));
    n.report?.(`${text} [${vscode.l10n.t("Extend")}](${extendCommandLink(n.warned)})`);
  }

  dispose(): void {
    for (const n of [...this.open]) {
      n.warned = [];
      this.update(n);
    }
  }
}
