import * as vscode from "vscode";
import { CancellationError } from "../../core/cancellation";
import { withCancellableProgress } from "../progress";
import type { CommandHandler } from "./commandContext";

/**
 * After Azure refused the sign-in (expired, revoked, identity service restarted): forgets the
 * refused tokens, signs in again with the same method, and reads the state from Azure afresh. The
 * tree keeps the last known VMs, marked stale, until then; no sign-out is needed.
 */
export const signInAgain: CommandHandler = async (ctx) => {
  const { auth, refresher } = ctx.services;
  const result = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Signing in to Azure again"), cancellable: true }, (signal, progress) =>
    auth.signInAgain((m) => progress.step(m), signal),
  );
  if (!result.ok) throw result.cancelled ? new CancellationError() : result.error;
  await refresher.refresh({ interactive: true });
};
