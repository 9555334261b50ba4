import * as vscode from "vscode";
import type { AccessEvent } from "../../core/access/accessMachine";
import type { Logger } from "../../core/logger";
import { isSignInRefusal } from "../../core/service/signInRefusal";
import type { ContextKeys } from "../contextKeys";
import type { ServiceHost } from "../serviceHost";
import type { VmTreeProvider } from "./vmTreeProvider";
import { notify } from "../notify";

/** How often the view is refreshed while something is in a transitional state. */
export const POLL_INTERVAL_MS = 10_000;

/** "ready · 42m left" changes every minute: the view is redrawn (no Azure call) this often while visible. */
export const RELABEL_INTERVAL_MS = 30_000;

/** States after which Azure's picture of the VM changed (the inventory is reloaded). */
const SETTLED: readonly AccessEvent["state"]["kind"][] = ["granted", "denied", "failed", "timedOut", "cancelled", "expired", "idle"];

/**
 * Loads the inventory into the tree: on demand (with progress in the view), after access events,
 * and by polling, only while the view is visible and only while some VM is in a transitional state
 * (pending approval, activating, starting). Concurrent requests coalesce into one running load plus
 * at most one more.
 */
export class InventoryRefresher implements vscode.Disposable {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private relabel: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly deps: { host: ServiceHost; tree: VmTreeProvider; view: vscode.TreeView<unknown>; keys: ContextKeys; logger: Logger },
  ) {
    this.disposables.push(
      deps.view.onDidChangeVisibility(() => this.schedulePoll()),
      deps.host.onDidChangeAccess((e) => {
        // Redraw at once from the access state; reload from Azure once the flow settled.
        deps.tree.rebuild();
        if (SETTLED.includes(e.state.kind)) this.soon();
        this.schedulePoll();
      }),
      deps.host.onDidChangeInventory((inventory) => {
        deps.tree.rebuild();
        // A filter change re-filters without a load: the "no VMs" welcome view follows it too.
        if (deps.host.signedIn) void deps.keys.set("azureJit.inventoryState", inventory.vms.length > 0 ? "ready" : "empty");
        this.schedulePoll();
      }),
      deps.host.onDidExpire(() => this.soon()),
      // A forward started, exited or was stopped: its row under the VM follows, no Azure call.
      deps.host.onDidChangeForwards(() => {
        deps.tree.rebuild();
        void deps.keys.set("azureJit.hasForwards", (deps.host.current?.forwards.list().length ?? 0) > 0);
      }),
      deps.host.onDidReplace(() => {
        deps.view.message = undefined;
        deps.tree.rebuild();
        void deps.keys.set("azureJit.hasForwards", false);
      }),
    );
  }

  /**
   * Reloads the inventory. `interactive`: progress in the view and errors thrown to the caller (a
   * command); otherwise failures are logged and the last good list stays.
   */
  refresh(options: { interactive: boolean } = { interactive: false }): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          this.again = false;
          await this.load(options.interactive);
        } while (this.again);
      } finally {
        this.running = undefined;
        this.schedulePoll();
      }
    };
    this.running = run();
    return this.running;
  }

  /** A coalesced refresh shortly (several events in a row make one load). */
  soon(delayMs = 500): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.refresh();
    }, delayMs);
  }

  private async load(interactive: boolean): Promise<void> {
    const { host, keys, logger } = this.deps;
    const service = host.signedIn;
    if (!service) return;
    const firstLoad = service.inventory === undefined;
    if (firstLoad) await keys.set("azureJit.inventoryState", "loading");
    const work = async (): Promise<void> => {
      const started = performance.now();
      const inventory = await service.refreshInventory();
      // Signed out (or the service replaced) meanwhile: this result describes nobody's session.
      if (host.signedIn !== service) return;
      logger.info(`Inventory: ${inventory.vms.length} VM(s) in ${inventory.subscriptions.length} subscription(s) (${inventory.source}, ${Math.round(performance.now() - started)} ms)${inventory.partialErrors.length > 0 ? `, ${inventory.partialErrors.length} partial error(s)` : ""}`);
      await keys.set("azureJit.inventoryState", inventory.vms.length > 0 ? "ready" : "empty");
      await this.signInAccepted();
      this.deps.view.message = inventory.partialErrors.length > 0 ? vscode.l10n.t("Some VMs may be missing: {0} could not be read. See the log.", inventory.partialErrors.map((p) => p.what).join("; ")) : undefined;
    };
    try {
      if (interactive || firstLoad) await vscode.window.withProgress({ location: { viewId: "azureJit.vms" } }, work);
      else await work();
    } catch (e) {
      if (host.signedIn !== service) return;
      if (isSignInRefusal(e)) return this.signInRefused(e.message);
      if (!service.inventory) await keys.set("azureJit.inventoryState", "error");
      if (interactive) throw e;
      logger.warn(`Background refresh failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /**
   * Polls only while someone can see it and something is expected to change; redraws the time
   * left of ready VMs while someone can see it.
   */
  private schedulePoll(): void {
    const visible = this.deps.view.visible && this.deps.host.signedIn !== undefined;
    const wanted = visible && this.deps.tree.hasTransitional();
    if (wanted && !this.timer) {
      this.timer = setInterval(() => void this.refresh(), POLL_INTERVAL_MS);
    } else if (!wanted && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    const counting = visible && this.deps.tree.vmNodes().some((n) => n.presentation.bucket === "ready");
    if (counting && !this.relabel) {
      this.relabel = setInterval(() => this.deps.tree.rebuild(), RELABEL_INTERVAL_MS);
    } else if (!counting && this.relabel) {
      clearInterval(this.relabel);
      this.relabel = undefined;
    }
  }

  /**
   * Azure refused the sign-in: the last known VMs stay, marked stale, and "Sign In Again" appears in
   * the view's title and in one notification (not repeated while the refusal lasts).
   */
  private async signInRefused(message: string): Promise<void> {
    const { keys, view, logger } = this.deps;
    logger.warn(message);
    view.message = vscode.l10n.t("Azure no longer accepts your sign-in. The list shows the last known state (stale). Use “Sign In Again”.");
    view.description = vscode.l10n.t("stale");
    if (keys.get("azureJit.signInRefused")) return;
    await keys.set("azureJit.signInRefused", true);
    const again = vscode.l10n.t("Sign In Again");
    void notify.warn(vscode.l10n.t("Azure no longer accepts your sign-in (it expired, was revoked, or the identity service restarted). The VM list shows the last known state."), again).then((choice) => {
      if (choice === again) void vscode.commands.executeCommand("azureJit.signInAgain");
    });
  }

  private async signInAccepted(): Promise<void> {
    if (!this.deps.keys.get("azureJit.signInRefused")) return;
    await this.deps.keys.set("azureJit.signInRefused", false);
    this.deps.view.description = undefined;
  }

  /** Forgets what the view says about the last load (sign-out). */
  clear(): void {
    this.deps.view.message = undefined;
    this.deps.view.description = undefined;
    void this.deps.keys.set("azureJit.signInRefused", false);
    this.deps.tree.rebuild();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.relabel) clearInterval(this.relabel);
    if (this.debounce) clearTimeout(this.debounce);
    for (const d of this.disposables) d.dispose();
  }
}
