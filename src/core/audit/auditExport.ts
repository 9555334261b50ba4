import type { AuditRecord } from "./auditRecord";

/** Columns of the CSV export, in order (every field a record can have). */
export const CSV_COLUMNS: readonly (keyof AuditRecord)[] = [
  "time",
  "type",
  "vmName",
  "vmId",
  "tenantId",
  "subscriptionId",
  "roleName",
  "requestName",
  "jitPolicyId",
  "port",
  "sourcePrefix",
  "endsAt",
  "durationMinutes",
  "justification",
  "ticket",
  "alias",
  "detail",
];

/** RFC 4180 field; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula. */
function csvField(value: unknown): string {
  if (value === undefined || value === null) return "";
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function exportAuditCsv(records: readonly AuditRecord[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const r of records) lines.push(CSV_COLUMNS.map((c) => csvField(r[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

export function exportAuditJson(records: readonly AuditRecord[]): string {
  return `${JSON.stringify(records, null, 2)}\n`;
}

export function exportAudit(records: readonly AuditRecord[], format: "json" | "csv"): string {
  return format === "csv" ? exportAuditCsv(records) : exportAuditJson(records);
}
