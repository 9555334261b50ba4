/** Connectivity and access-history reports rendered as Markdown. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AuditRecord } from "../../src/core/audit/auditRecord";
import type { PreflightItem } from "../../src/core/preflight/checkConnectivity";
import { formatOnly } from "../../src/vscode/localizer";
import { connectivityReport } from "../../src/vscode/reports/connectivityReport";
import { historyReport } from "../../src/vscode/reports/historyReport";

describe("connectivity report", () => {
  const items: PreflightItem[] = [
    { check: "signedIn", title: "Signed in", status: "ok", detail: "Signed in as alice." },
    { check: "jitWindow", title: "JIT window", status: "warn", detail: "Port 22 is closed.", fix: "Request access." },
    { check: "bastion", title: "Bastion", status: "fail", detail: "Bastion bas-legacy (Basic) cannot tunnel | SSH.", fix: "Ask for a Standard Bastion.", code: "BastionSkuUnsupported" },
    { check: "credentialReadable", title: "Credential readable", status: "skipped", detail: "Not checked." },
  ];
  const md = connectivityReport({ name: "vm-legacy", where: "Contoso Dev › rg-vm-legacy" }, items, "12:00", formatOnly);

  it("one row per check, in order, with its mark and the fix next to what failed", () => {
    const rows = md.split("\n").filter((l) => /^\| [✓⚠✗–] \|/.test(l));
    assert.deepEqual(rows.map((r) => r.slice(2, 3)), ["✓", "⚠", "✗", "–"]);
    assert.match(rows[2]!, /cannot tunnel \\\| SSH\\\. \*\*Fix:\*\* Ask for a Standard Bastion\\\./);
    assert.doesNotMatch(rows[0]!, /Fix:/);
    assert.match(md, /^# Connectivity check: vm\\-legacy$/m);
    assert.match(md, /\*\*1 problem\(s\) and 1 warning\(s\)/);
  });

  it("all green says so", () => {
    assert.match(connectivityReport({ name: "vm", where: "x" }, [items[0]!], "12:00", formatOnly), /\*\*All checks passed\.\*\*/);
  });
});

describe("access history report", () => {
  const records: AuditRecord[] = [
    { time: "2025-06-01T10:00:00.000Z", type: "elevationRequested", vmId: "/x/vm-1", vmName: "vm-1", roleName: "JIT VM Operator", durationMinutes: 60, justification: "deploy | fix", ticket: "INC-1" },
    { time: "2025-06-01T11:00:00.000Z", type: "accessGranted", vmId: "/x/vm-1", vmName: "vm-1", endsAt: "2025-06-01T12:00:00.000Z" },
    { time: "2025-06-01T09:00:00.000Z", type: "expired", vmId: "/x/vm-0" },
  ];

  it("a table, newest first, with readable event names and escaped cells", () => {
    const md = historyReport(records, "Last 7 days", formatOnly, (iso) => iso.slice(11, 16));
    const rows = md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| Time") && !l.startsWith("| ---"));
    assert.equal(rows.length, 3);
    assert.match(rows[0]!, /^\| 11:00 \| Access granted \| vm\\-1 \| {3}\| 12:00 \|/);
    assert.match(rows[1]!, /Role requested .* 60 min \| deploy \\\| fix \| INC\\-1 \|/);
    assert.match(rows[2]!, /Expired \| \/x\/vm\\-0 \|/);
    assert.match(md, /3 event\(s\), newest first/);
  });

  it("an empty journal explains what will appear", () => {
    assert.match(historyReport([], "Everything", formatOnly, (s) => s), /Nothing recorded yet/);
  });
});
