import * as os from "node:os";
import * as vscode from "vscode";
import type { AuditFilter } from "../../core/audit/auditJournal";
import { CancellationError } from "../../core/cancellation";
import { historyReport } from "../reports/historyReport";
import type { CommandHandler } from "./commandContext";

const DAY_MS = 24 * 60 * 60_000;

function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(vscode.env.language, { dateStyle: "short", timeStyle: "short" });
}

/** The access journal (requests, approvals, connections, expiries) as a table, newest first, for a period or one VM. */
export const showAccessHistory: CommandHandler = async (ctx) => {
  const l10n = vscode.l10n;
  const service = await ctx.services.host.get();
  const everything = await service.history();
  const vms = [...new Map(everything.map((r) => [r.vmId.toLowerCase(), r.vmName ?? r.vmId])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  type Item = vscode.QuickPickItem & { filter?: AuditFilter; scope?: string };
  const now = Date.now();
  const items: Item[] = [
    { label: l10n.t("Last 24 hours"), filter: { since: now - DAY_MS }, scope: l10n.t("Last 24 hours") },
    { label: l10n.t("Last 7 days"), filter: { since: now - 7 * DAY_MS }, scope: l10n.t("Last 7 days") },
    { label: l10n.t("Last 30 days"), filter: { since: now - 30 * DAY_MS }, scope: l10n.t("Last 30 days") },
    { label: l10n.t("Everything"), filter: {}, scope: l10n.t("Everything") },
  ];
  if (vms.length > 0) {
    items.push({ label: l10n.t("One VM"), kind: vscode.QuickPickItemKind.Separator });
    for (const [id, name] of vms) items.push({ label: `$(vm) ${name}`, filter: { vmId: id }, scope: name });
  }
  const picked = await vscode.window.showQuickPick(items, { placeHolder: l10n.t("Show which access history?") });
  if (!picked?.filter) throw new CancellationError();
  const records = await service.history(picked.filter);
  await ctx.services.reports.show(l10n.t("Access history"), historyReport(records, picked.scope ?? "", l10n, formatDateTime));
};

/** Default folder for exports: the workspace's, else home. */
export function exportFolder(): vscode.Uri {
  return vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
}
