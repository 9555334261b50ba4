import * as vscode from "vscode";
import type { Grant } from "../../core/access/grant";
import type { CountdownView } from "../../core/countdown/countdown";
import type { ServiceHost } from "../serviceHost";
import { formatLocalTime } from "../tree/vmTreeProvider";
import { countdownAccessibilityLabel, countdownText, grantsTooltip } from "./countdownPresentation";

/**
 * One status-bar item, `azureJit.countdown`, visible while any grant runs: the VM whose access
 * ends first and the time left, the warning background in the last 10 minutes, a tooltip with every
 * grant. It redraws on the core's ticks (minute boundaries, seconds in the last minute), which
 * follow Azure's clock; grants are persisted by the core, so it comes back after a reload.
 */
export class CountdownStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: vscode.Disposable;
  /** Before sign-in there are no ticks from the service: grants restored from disk are redrawn by this. */
  private offline: NodeJS.Timeout | undefined;

  constructor(private readonly host: ServiceHost) {
    this.item = vscode.window.createStatusBarItem("azureJit.countdown", vscode.StatusBarAlignment.Left, 50);
    this.item.name = vscode.l10n.t("Azure JIT Access");
    this.item.command = "azureJit.showGrants";
    this.subscription = vscode.Disposable.from(
      host.onDidChangeCountdown((view) => {
        this.stopOffline();
        this.render(view);
        // Signed out: keep showing grants that still run in Azure, from the store.
        if (!view && host.current && !host.current.signedIn) this.startOffline();
      }),
      host.onDidReplace(() => {
        this.stopOffline();
        this.render(host.current?.countdown());
        this.startOffline();
      }),
    );
  }

  private startOffline(): void {
    const service = this.host.current;
    if (!service || service.signedIn || service.activeGrants().length === 0) return;
    this.render(service.countdown());
    this.offline = setInterval(() => {
      if (this.host.current?.signedIn) return this.stopOffline();
      const view = this.host.current?.countdown();
      this.render(view);
      if (!view) this.stopOffline();
    }, 15_000);
  }

  private stopOffline(): void {
    if (this.offline) clearInterval(this.offline);
    this.offline = undefined;
  }

  render(view: CountdownView<Grant> | undefined): void {
    const service = this.host.current;
    if (!view || !service) {
      this.item.hide();
      return;
    }
    const now = service.azureContext()?.clock.now() ?? Date.now();
    const grants = service.activeGrants();
    this.item.text = countdownText(view);
    this.item.backgroundColor = view.warning ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
    const tooltip = new vscode.MarkdownString(grantsTooltip(grants, now, vscode.l10n, formatLocalTime), true);
    tooltip.isTrusted = { enabledCommands: ["azureJit.extendAccess", "azureJit.deactivateAccess", "azureJit.showGrants"] };
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: countdownAccessibilityLabel(view, Math.max(0, grants.length - 1), vscode.l10n), role: "button" };
    this.item.show();
  }

  dispose(): void {
    this.stopOffline();
    this.subscription.dispose();
    this.item.dispose();
  }
}
