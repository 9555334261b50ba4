/**
 * Issue 12, item 4 (log forging): a VM name carrying ESC, CR, LF, RLO/bidi or C1 characters reached
 * the log file, the tunnel's stderr and notifications raw. One escaping function now guards every
 * output boundary; each boundary is tested here.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { AuditRecord } from "../../../src/core/audit/auditRecord";
import { displaySafeLogger, type Logger } from "../../../src/core/logger";
import { escapeForDisplay } from "../../../src/core/redact";
import { createStderrLogger } from "../../../src/tunnel/stderrLogger";
import { formatOnly } from "../../../src/vscode/localizer";
import { escapeMarkdown } from "../../../src/vscode/markdown";
import { displaySafeMessageArgs } from "../../../src/vscode/notifyText";
import { historyReport } from "../../../src/vscode/reports/historyReport";

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const HOSTILE = "vm-\u001b[31mred\r\n2026-01-01 [error] forged line\u202etxt.exe\u0085\u009b31m\u2028end\u200b";

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string | Error, ...args: unknown[]): void => void lines.push([m instanceof Error ? (m.stack ?? m.message) : m, ...args.map((a) => (a instanceof Error ? a.message : String(a)))].join(" "));
  return { lines, trace: push, debug: push, info: push, warn: push, error: push };
}

test("escapeForDisplay: nothing a terminal or a reader could be fooled by survives; ordinary text is unchanged", () => {
  assert.equal(escapeForDisplay(HOSTILE), "vm-\\u001b[31mred\\u000d\\u000a2026-01-01 [error] forged line\\u202etxt.exe\\u0085\\u009b31m\\u2028end\\u200b");
  assert.equal(escapeForDisplay("a\nb\rc", { keepNewlines: true }), "a\nb\\u000dc");
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 60 }), (text) => {
      assert.doesNotMatch(escapeForDisplay(text), UNSAFE);
      if (!UNSAFE.test(text)) assert.equal(escapeForDisplay(text), text);
    }),
    { numRuns: 500 },
  );
});

test("the log: messages, string arguments and Error messages are escaped; stack frames stay", () => {
  const inner = memoryLogger();
  const log = displaySafeLogger(inner);
  log.info(`Connected to ${HOSTILE}`);
  log.warn("refused:", HOSTILE);
  log.error(new Error(`failed for ${HOSTILE}`));
  for (const line of inner.lines) {
    const withoutFrames = line.split("\n").filter((l) => !/^\s+at /.test(l)).join("");
    assert.doesNotMatch(withoutFrames, UNSAFE, line);
  }
  assert.match(inner.lines[2] ?? "", /\n\s+at /, "the stack frames are kept on their own lines");
});

test("the tunnel's stderr: one line, no control or bidi characters, verbose or not", () => {
  for (const verbose of [false, true]) {
    const written: string[] = [];
    const logger = createStderrLogger(verbose, (l) => void written.push(l));
    logger.error(`No active access to ${HOSTILE}`);
    logger.debug("host %s", HOSTILE);
    for (const line of written) {
      assert.ok(line.endsWith("\n"));
      assert.doesNotMatch(line.slice(0, -1), UNSAFE, JSON.stringify(line));
    }
  }
});

test("notifications: the message and a modal's detail are escaped (detail keeps its own line breaks)", () => {
  const [message, options, item] = displaySafeMessageArgs(`Access to ${HOSTILE} ends`, [{ modal: true, detail: `${HOSTILE}\n\nSign in again.` }, { title: "OK" }]);
  assert.doesNotMatch(message, UNSAFE);
  const detail = (options as { detail: string }).detail;
  assert.doesNotMatch(detail.replace(/\n/g, ""), UNSAFE);
  assert.match(detail, /\n\nSign in again\.$/);
  assert.deepEqual(item, { title: "OK" });
  const [plain, button] = displaySafeMessageArgs(`${HOSTILE} is running.`, ["Open"]);
  assert.doesNotMatch(plain, UNSAFE);
  assert.equal(button, "Open");
});

test("reports: Markdown cells and headings carry no control or bidi characters", () => {
  assert.doesNotMatch(escapeMarkdown(HOSTILE), UNSAFE);
  const record = { time: "2026-01-01T00:00:00.000Z", type: "connectionOpened", vmId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/x", vmName: HOSTILE, detail: HOSTILE };
  const md = historyReport([record as unknown as AuditRecord], HOSTILE, formatOnly, (iso) => iso);
  assert.doesNotMatch(md.replace(/\n/g, ""), UNSAFE);
});
