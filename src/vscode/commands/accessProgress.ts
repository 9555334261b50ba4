import * as vscode from "vscode";
import { notify } from "../notify";
import type { AccessEvent } from "../../core/access/accessMachine";
import { CancellationError } from "../../core/cancellation";
import { withCancellableProgress } from "../progress";
import type { CommandContext } from "./commandContext";

export type AccessOutcome<T> = { kind: "done"; value: T } | { kind: "pendingApproval" };

/** The step line of an access state, localised ("Activating the role (1/3)…"). */
export function stepMessage(e: AccessEvent): string | undefined {
  const l10n = vscode.l10n;
  const s = e.step;
  if (!s) return undefined;
  switch (e.state.kind) {
    case "readingPolicy":
      return l10n.t("Reading the access policies…");
    case "awaitingInput":
      return l10n.t("Waiting for your answers in the request form…");
    case "activatingRole":
      return l10n.t("Activating the role ({0}/{1})…", s.index, s.total);
    case "pendingApproval":
      return l10n.t("Waiting for approval ({0}/{1})…", s.index, s.total);
    case "waitingForRole":
      return l10n.t("Waiting for the role to take effect ({0}/{1})…", s.index, s.total);
    case "initiatingJit":
    case "waitingForJit":
      return l10n.t("Opening Just-in-Time access to port 22 ({0}/{1})…", s.index, s.total);
    case "deactivating":
      return l10n.t("Deactivating the role…");
    default:
      // Extension steps and the like: the core's own line.
      return s.message;
  }
}

/**
 * Runs an access operation (request, connect, extend) in one cancellable progress notification
 * that shows the core's steps. When the request turns out to wait for an approver, the
 * notification closes and the flow continues in the background: approvals can take hours, and
 * AccessNotifications announces the outcome (from the service's events, which also covers requests
 * resumed after a reload).
 */
export async function withAccessProgress<T>(ctx: CommandContext, vm: { id: string; name: string }, title: string, work: (signal: AbortSignal, step: (message: string) => void) => Promise<T>): Promise<AccessOutcome<T>> {
  const { host, log } = ctx.services;
  const result = await withCancellableProgress<AccessOutcome<T>>({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (signal, progress) => {
    let handOff: () => void = () => undefined;
    const waiting = new Promise<AccessOutcome<T>>((resolve) => (handOff = () => resolve({ kind: "pendingApproval" })));
    const subscription = host.onDidChangeAccess((e) => {
      if (e.vmId.toLowerCase() !== vm.id.toLowerCase()) return;
      const message = stepMessage(e);
      if (message) progress.step(message);
      if (e.state.kind === "pendingApproval") handOff();
    });
    const running = work(signal, (message) => progress.step(message));
    const done = running.then((value): AccessOutcome<T> => ({ kind: "done", value }));
    return Promise.race([done, waiting]).then(
      (outcome) => {
        subscription.dispose();
        if (outcome.kind === "pendingApproval") {
          // The flow goes on; its outcome is announced by AccessNotifications, its failure logged here.
          running.catch((e: unknown) => log.info(`Access request for ${vm.name} ended after approval wait: ${e instanceof Error ? e.message : String(e)}`));
        }
        return outcome;
      },
      (e: unknown) => {
        subscription.dispose();
        throw e;
      },
    );
  });
  if (result.ok) return result.value;
  if (result.cancelled) throw new CancellationError();
  throw result.error;
}

/** The notification shown when a request was handed to the background. */
export function announcePendingApproval(vmId: string, vmName: string): void {
  const cancel = vscode.l10n.t("Cancel Request");
  void notify.info(vscode.l10n.t("Your access request for {0} is waiting for an approver. You will be notified when it is decided.", vmName), cancel).then((choice) => {
    if (choice === cancel) void vscode.commands.executeCommand("azureJit.cancelRequest", vmId);
  });
}
