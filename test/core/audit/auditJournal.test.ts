import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { exportAudit, exportAuditCsv } from "../../../src/core/audit/auditExport";
import { AuditJournal } from "../../../src/core/audit/auditJournal";
import { ManualClock } from "../access/support/manualClock";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await fsp.mkdtemp(path.join(os.tmpdir(), "audit-"));
  dirs.push(d);
  return d;
}
after(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

const VM = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-dev-01";

describe("AuditJournal", () => {
  it("appends JSON lines owner-only and reads them back with filters", async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const journal = await AuditJournal.open(path.join(await tempDir(), "audit"), { clock });
    await journal.append({ type: "elevationRequested", vmId: VM, vmName: "vm-dev-01", justification: "deploy fix", ticket: "INC-42", requestName: "r1" });
    await clock.advance(60_000);
    await journal.append({ type: "jitInitiated", vmId: VM, vmName: "vm-dev-01", port: 22, sourcePrefix: "10.0.1.0/26" });
    await clock.advance(60_000);
    await journal.append({ type: "connectionOpened", vmId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/other", alias: "other" });
    if (process.platform !== "win32") {
      assert.equal((await fsp.stat(journal.file)).mode & 0o777, 0o600);
      assert.equal((await fsp.stat(journal.folder)).mode & 0o777, 0o700);
    }
    const lines = (await fsp.readFile(journal.file, "utf8")).trim().split("\n");
    assert.equal(lines.length, 3);
    assert.equal((JSON.parse(lines[0] ?? "{}") as { time: string }).time, "2030-01-01T00:00:00.000Z");

    assert.equal((await journal.read()).length, 3);
    assert.deepEqual((await journal.read({ vmId: VM.toUpperCase() })).map((r) => r.type), ["elevationRequested", "jitInitiated"]);
    assert.deepEqual((await journal.read({ types: ["connectionOpened"] })).map((r) => r.alias), ["other"]);
    assert.equal((await journal.read({ since: Date.UTC(2030, 0, 1, 0, 1) })).length, 2);
    assert.equal((await journal.read({ until: Date.UTC(2030, 0, 1, 0, 1) })).length, 1);
    assert.deepEqual((await journal.read({ limit: 1 })).map((r) => r.type), ["connectionOpened"]);
  });

  it("never stores secrets, even when a caller puts one in a free-text field", async () => {
    const journal = await AuditJournal.open(path.join(await tempDir(), "audit"));
    const token = "eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiJhYmNkZWZnaCJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
    const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";
    const password = "Correct-Horse-Battery-9";
    journal.addSecretsToRedact(password);
    await journal.append({ type: "elevationRequested", vmId: VM, justification: `pasted ${token} by mistake`, detail: `${key} and ${password}` });
    const text = await fsp.readFile(journal.file, "utf8");
    for (const secret of [token, "b3BlbnNzaC1rZXktdjEAAAAA", password]) assert.ok(!text.includes(secret), `journal contains ${secret.slice(0, 10)}…`);
    assert.match(text, /redacted/);
  });

  it("rotates by size and reads across rotated files, oldest first", async () => {
    const journal = await AuditJournal.open(path.join(await tempDir(), "audit"), { maxBytes: 400, maxFiles: 2 });
    for (let i = 0; i < 12; i++) await journal.append({ type: "connectionOpened", vmId: VM, alias: `a${i}`, detail: "x".repeat(60) });
    const names = (await fsp.readdir(journal.folder)).sort();
    assert.deepEqual(names, ["audit.1.jsonl", "audit.2.jsonl", "audit.jsonl"]);
    for (const n of names) assert.ok((await fsp.stat(path.join(journal.folder, n))).size <= 400);
    const aliases = (await journal.read()).map((r) => r.alias);
    assert.equal(aliases.at(-1), "a11");
    assert.ok(aliases.length < 12, "the oldest rotated file was dropped");
    const numbers = aliases.map((a) => Number(a?.slice(1)));
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), "oldest first");
  });

  it("exports JSON and CSV (quoted, formula-safe)", () => {
    const records = [
      { time: "2030-01-01T00:00:00.000Z", type: "elevationRequested" as const, vmId: VM, vmName: "vm-dev-01", justification: 'fix "prod", now\nplease', ticket: "=HYPERLINK(1)" },
    ];
    const csv = exportAuditCsv(records);
    const [header, row] = csv.split("\r\n");
    assert.match(header ?? "", /^time,type,vmName,vmId/);
    assert.match(row ?? "", /"fix ""prod"", now/);
    assert.match(csv, /'=HYPERLINK\(1\)/);
    assert.deepEqual(JSON.parse(exportAudit(records, "json")), records);
  });
});
