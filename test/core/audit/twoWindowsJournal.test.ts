/**
 * Issue 12, item 3 (the journal): two windows append to one access journal and both rotate it.
 * Without a cross-process lock a rotation renamed the file between the other window's size check
 * and its append, and lines went to the wrong file or were lost; with it every line is kept, once.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { AuditJournal } from "../../../src/core/audit/auditJournal";

const WORKER = path.join(__dirname, "support", "journalWorker.ts");
const LINES = 300;

function runWorker(folder: string, name: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", WORKER, folder, name, String(LINES)], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

test("two windows appending to and rotating one journal lose no line and write none twice", { timeout: 180_000 }, async (t) => {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-journal-"));
  t.after(() => fsp.rm(root, { recursive: true, force: true }));
  const folder = path.join(root, "audit");
  const results = await Promise.all([runWorker(folder, "a"), runWorker(folder, "b")]);
  for (const r of results) assert.equal(r.code, 0, r.output);

  const journal = await AuditJournal.open(folder, { maxBytes: 2048, maxFiles: 1000 });
  const details = (await journal.read()).map((r) => r.detail ?? "");
  const expected = ["a", "b"].flatMap((w) => Array.from({ length: LINES }, (_, i) => `${w}-${i}`)).sort();
  assert.deepEqual([...details].sort(), expected);
  // Each window's own lines stay in its order across the rotated files.
  for (const w of ["a", "b"]) {
    const mine = details.filter((d) => d.startsWith(`${w}-`)).map((d) => Number(d.slice(2)));
    assert.deepEqual(mine, [...mine].sort((x, y) => x - y), `window ${w}'s lines are in order`);
  }
  assert.ok((await fsp.readdir(folder)).filter((f) => /^audit\.\d+\.jsonl$/.test(f)).length > 5, "the journal rotated many times");
});
