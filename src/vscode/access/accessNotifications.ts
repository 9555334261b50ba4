import * as vscode from "vscode";
import { notify } from "../notify";
import type { Grant } from "../../core/access/grant";
import { RESUMABLE_STATES } from "../../core/access/states";
import type { ContextKeys } from "../contextKeys";
import type { ServiceHost } from "../serviceHost";
import { formatLocalTime } from "../tree/vmTreeProvider";
import { ExpiryWarningBatcher, expiryWarningMessage } from "./expiryWarnings";

/**
 * The background side of access: approvals that arrive later (also for requests resumed after a
 * reload), the expiry warnings at the configured marks with an Extend button, the honest "has
 * expired", and the context keys that enable Extend / Deactivate / Cancel in the palette.
 */
export class AccessNotifications implements vscode.Disposable {
  /** VMs whose request waited for an approver: their outcome is announced here. */
  private readonly awaitingApproval = new Set<string>();
  private readonly subscription: vscode.Disposable;
  private readonly warnings = new ExpiryWarningBatcher<Grant>((minutesLeft, grants) => void this.expiring(grants, minutesLeft));

  constructor(private readonly deps: { host: ServiceHost; keys: ContextKeys }) {
    const { host } = deps;
    this.subscription = vscode.Disposable.from(
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
        void this.updateKeys();
      }),
      host.onExpiryWarning(({ grant, minutesLeft }) => this.warnings.add(grant, minutesLeft)),
      host.onDidExpire((grants) => {
        void this.expired(grants);
        void this.updateKeys();
      }),
      host.onDidChangeCountdown(() => void this.updateKeys()),
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

  /** One warning for every grant at this mark; Extend acts on the one VM, or asks which when several. */
  private async expiring(grants: readonly Grant[], minutesLeft: number): Promise<void> {
    const extend = vscode.l10n.t("Extend");
    const choice = await notify.warn(expiryWarningMessage(grants.map((g) => g.vmName), minutesLeft, vscode.l10n), extend);
    if (choice !== extend) return;
    // The message may have stayed on screen: act on what still runs (a notification cannot be withdrawn).
    const running = grants.filter((g) => this.deps.host.current?.activeGrant(g.vmId));
    if (running.length === 1) await vscode.commands.executeCommand("azureJit.extendAccess", running[0]!.vmId);
    else if (running.length > 1) await vscode.commands.executeCommand("azureJit.extendAccess");
    else void notify.info(vscode.l10n.t("That access has already ended: nothing to extend. Request access again when you need it."));
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
