import * as vscode from "vscode";
import { notify } from "../notify";
import type { Grant } from "../../core/access/grant";
import { RESUMABLE_STATES } from "../../core/access/states";
import type { ContextKeys } from "../contextKeys";
import type { ServiceHost } from "../serviceHost";
import { formatLocalTime } from "../tree/vmTreeProvider";
import { ExpiryNotices } from "./expiryNotices";
import { ExpiryWarningBatcher } from "./expiryWarnings";

/**
 * The background side of access: approvals that arrive later (also for requests resumed after a
 * reload), the expiry warnings at the configured marks with an Extend link (withdrawn once no longer
 * true, expiryNotices.ts), the honest "has expired", and the context keys that enable Extend /
 * Deactivate / Cancel in the palette.
 */
export class AccessNotifications implements vscode.Disposable {
  /** VMs whose request waited for an approver: their outcome is announced here. */
  private readonly awaitingApproval = new Set<string>();
  private readonly subscription: vscode.Disposable;
  private readonly notices: ExpiryNotices;
  private readonly warnings = new ExpiryWarningBatcher<Grant>((minutesLeft, grants) => this.notices.show(grants, minutesLeft));

  constructor(private readonly deps: { host: ServiceHost; keys: ContextKeys }) {
    const { host } = deps;
    this.notices = new ExpiryNotices((vmId) => host.current?.activeGrant(vmId));
    this.subscription = vscode.Disposable.from(
      this.notices,
      host.onDidChangeAccess((e) => {
        const key = e.vmId.toLowerCase();
        const state = e.state;
        if (state.kind === "pendingApproval") this.awaitingApproval.add(key);
        else if (this.awaitingApproval.has(key)) {
          if (state.kind === "granted") {
            this.awaitingApproval.delete(key);
            void this.approved(state.grant);
          } else if (state.kind === "denied" || state.kind === "failed" || state.kind === "timedOut" || state.kind === "cancelled") {
            this.awaitingApproval.delete(key);
            if (state.kind !== "cancelled") void this.notApproved(e.vmName, state.kind, state.message);
          }
        }
        this.notices.reconcile();
        void this.updateKeys();
      }),
      host.onExpiryWarning(({ grant, minutesLeft }) => this.warnings.add(grant, minutesLeft)),
      host.onDidExpire((grants) => {
        this.notices.reconcile();
        void this.expired(grants);
        void this.updateKeys();
      }),
      host.onDidChangeCountdown(() => {
        this.notices.reconcile();
        void this.updateKeys();
      }),
      host.onDidReplace(() => void this.updateKeys()),
    );
  }

  /** hasGrants / hasPending from the service's store. */
  async updateKeys(): Promise<void> {
    const service = this.deps.host.current;
    const records = service?.grants.all() ?? [];
    await this.deps.keys.set("azureJit.hasGrants", (service?.activeGrants().length ?? 0) > 0);
    await this.deps.keys.set("azureJit.hasPending", records.some((r) => RESUMABLE_STATES.includes(r.state.kind)));
  }

  private async approved(grant: Grant): Promise<void> {
    const connect = vscode.l10n.t("Connect");
    const choice = await notify.info(vscode.l10n.t("Your access request for {0} was approved: access is open until {1}.", grant.vmName, formatLocalTime(grant.expiresAt)), connect);
    if (choice === connect) await vscode.commands.executeCommand("azureJit.connect", grant.vmId);
  }

  private async notApproved(vmName: string, kind: "denied" | "failed" | "timedOut", message: string): Promise<void> {
    const text =
      kind === "denied"
        ? vscode.l10n.t("Your access request for {0} was denied. {1}", vmName, message)
        : kind === "timedOut"
          ? vscode.l10n.t("No approver decided on your access request for {0} in time.", vmName)
          : vscode.l10n.t("Your access request for {0} did not complete: {1}", vmName, message);
    await notify.warn(text);
  }

  private async expired(grants: readonly Grant[]): Promise<void> {
    await Promise.all(
      grants.map(async (grant) => {
        const again = vscode.l10n.t("Request Access");
        const choice = await notify.info(vscode.l10n.t("Access to {0} has expired.", grant.vmName), again);
        if (choice === again) await vscode.commands.executeCommand("azureJit.requestAccess", grant.vmId);
      }),
    );
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
