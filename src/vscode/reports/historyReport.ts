import type { AuditEventType, AuditRecord } from "../../core/audit/auditRecord";
import type { Localizer } from "../localizer";
import { escapeMarkdown, markdownCell } from "../markdown";

/** The access journal as a Markdown table, newest first. Pure. */

export function eventLabel(type: AuditEventType, l10n: Localizer): string {
  switch (type) {
    case "elevationRequested":
      return l10n.t("Role requested");
    case "elevationApproved":
      return l10n.t("Approved");
    case "elevationDenied":
      return l10n.t("Denied");
    case "elevationCancelled":
      return l10n.t("Request cancelled");
    case "elevationFailed":
      return l10n.t("Request failed");
    case "jitInitiated":
      return l10n.t("JIT opened");
    case "accessGranted":
      return l10n.t("Access granted");
    case "accessExtended":
      return l10n.t("Access extended");
    case "connectionOpened":
      return l10n.t("Connected");
    case "connectionClosed":
      return l10n.t("Disconnected");
    case "deactivated":
      return l10n.t("Deactivated");
    case "expired":
      return l10n.t("Expired");
  }
}

export function historyReport(records: readonly AuditRecord[], scope: string, l10n: Localizer, formatDateTime: (iso: string) => string): string {
  const newestFirst = [...records].sort((a, b) => b.time.localeCompare(a.time));
  const lines = [`# ${l10n.t("Azure JIT access history")}`, "", `${escapeMarkdown(scope)} · ${l10n.t("{0} event(s), newest first", newestFirst.length)}`, ""];
  if (newestFirst.length === 0) {
    lines.push(l10n.t("Nothing recorded yet: requests, approvals, connections and expiries appear here."), "");
    return lines.join("\n");
  }
  lines.push(`| ${[l10n.t("Time"), l10n.t("Event"), l10n.t("VM"), l10n.t("Role"), l10n.t("Until"), l10n.t("Justification"), l10n.t("Ticket"), l10n.t("Detail")].join(" | ")} |`, `|${" --- |".repeat(8)}`);
  for (const r of newestFirst) {
    const until = r.endsAt ? formatDateTime(r.endsAt) : r.durationMinutes !== undefined ? l10n.t("{0} min", r.durationMinutes) : undefined;
    lines.push(`| ${[formatDateTime(r.time), eventLabel(r.type, l10n), r.vmName ?? r.vmId, r.roleName, until, r.justification, r.ticket, r.detail].map(markdownCell).join(" | ")} |`);
  }
  lines.push("");
  return lines.join("\n");
}
