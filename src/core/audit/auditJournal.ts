import { promises as fsp } from "node:fs";
import * as path from "node:path";
import { armIdKey } from "../azure/armIds";
import { type Clock, systemClock } from "../clock";
import { errorMessage } from "../errors";
import { ensurePrivateDir, PRIVATE_FILE_MODE } from "../fs/privateFiles";
import { type Logger, nullLogger } from "../logger";
import { redact } from "../redact";
import { AUDIT_EVENT_TYPES, type AuditEntry, type AuditEventType, type AuditRecord, type AuditSink } from "./auditRecord";
import { withFileLock } from "../fs/fileLock";

export interface AuditJournalOptions {
  /** Rotate when the current file would exceed this size (default 1 MiB). */
  maxBytes?: number;
  /** Rotated files kept besides the current one (default 5). */
  maxFiles?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface AuditFilter {
  /** Inclusive lower bound (ms since the epoch). */
  since?: number;
  /** Exclusive upper bound. */
  until?: number;
  vmId?: string;
  types?: readonly AuditEventType[];
  /** The newest `limit` records. */
  limit?: number;
}

const CURRENT = "audit.jsonl";
const rotated = (n: number): string => `audit.${n}.jsonl`;

const STRING_FIELDS = ["vmId", "vmName", "tenantId", "subscriptionId", "roleName", "requestName", "jitPolicyId", "sourcePrefix", "endsAt", "justification", "ticket", "alias", "detail"] as const;

/**
 * The access journal: JSON Lines in a folder of its own, owner-only, append-only, rotated by size
 * (`audit.jsonl`, then `audit.1.jsonl` … `audit.N.jsonl`, oldest highest). It records who asked for
 * what, why, and what happened; it never holds credentials: fields are a closed set and every
 * string passes through `redact` plus any secret registered with `addSecretsToRedact`.
 */
export class AuditJournal implements AuditSink {
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly secrets = new Set<string>();
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    readonly folder: string,
    options: AuditJournalOptions,
  ) {
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.maxFiles = Math.max(1, options.maxFiles ?? 5);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? nullLogger;
  }

  static async open(folder: string, options: AuditJournalOptions = {}): Promise<AuditJournal> {
    await ensurePrivateDir(folder);
    return new AuditJournal(folder, options);
  }

  get file(): string {
    return path.join(this.folder, CURRENT);
  }

  /** Values that must never be written even if a caller slips them into a free-text field. */
  addSecretsToRedact(...values: string[]): void {
    for (const v of values) if (v.length >= 4) this.secrets.add(v);
  }

  append(entry: AuditEntry): Promise<void> {
    const record = this.sanitize(entry);
    const line = `${JSON.stringify(record)}\n`;
    const next = this.queue.then(() => this.write(line));
    this.queue = next.catch((e: unknown) => this.logger.error(`Could not write the access journal ${this.file}: ${errorMessage(e)}`));
    return next;
  }

  private sanitize(entry: AuditEntry): AuditRecord {
    const secrets = [...this.secrets];
    const clean = (v: string | undefined): string | undefined => (v === undefined ? undefined : redact(v, secrets));
    const record: AuditRecord = { time: entry.time ?? new Date(this.clock.now()).toISOString(), type: entry.type, vmId: entry.vmId };
    for (const key of STRING_FIELDS) {
      const value = clean(entry[key]);
      if (value !== undefined) record[key] = value;
    }
    if (typeof entry.port === "number") record.port = entry.port;
    if (typeof entry.durationMinutes === "number") record.durationMinutes = entry.durationMinutes;
    if (!AUDIT_EVENT_TYPES.includes(record.type)) throw new Error(`Unknown audit event type: ${String(entry.type)}`);
    return record;
  }

  /**
   * Another window appends to the same journal: the size check, a rotation and the append happen
   * under one cross-process lock, so a rotation in one window never renames a file the other is
   * writing to between its check and its append (lines were lost that way).
   */
  private write(line: string): Promise<void> {
    return withFileLock(this.file, () => this.writeLocked(line));
  }

  private async writeLocked(line: string): Promise<void> {
    const size = await fsp.stat(this.file).then(
      (s) => s.size,
      () => 0,
    );
    if (size > 0 && size + Buffer.byteLength(line) > this.maxBytes) await this.rotate();
    await fsp.appendFile(this.file, line, { mode: PRIVATE_FILE_MODE });
    if (size === 0 && process.platform !== "win32") await fsp.chmod(this.file, PRIVATE_FILE_MODE);
  }

  private async rotate(): Promise<void> {
    await fsp.rm(path.join(this.folder, rotated(this.maxFiles)), { force: true });
    for (let n = this.maxFiles - 1; n >= 1; n--) {
      await fsp.rename(path.join(this.folder, rotated(n)), path.join(this.folder, rotated(n + 1))).catch(() => undefined);
    }
    await fsp.rename(this.file, path.join(this.folder, rotated(1)));
  }

  /** Records matching `filter`, oldest first, across rotated files. Unreadable lines are skipped. */
  async read(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    await this.queue;
    const files = [...Array.from({ length: this.maxFiles }, (_, i) => rotated(this.maxFiles - i)), CURRENT];
    const out: AuditRecord[] = [];
    const vmKey = filter.vmId ? armIdKey(filter.vmId) : undefined;
    for (const name of files) {
      let text: string;
      try {
        text = await fsp.readFile(path.join(this.folder, name), "utf8");
      } catch {
        continue;
      }
      for (const line of text.split("\n")) {
        if (!line.trim()) continue;
        let record: AuditRecord;
        try {
          record = JSON.parse(line) as AuditRecord;
        } catch {
          continue;
        }
        const t = Date.parse(record.time);
        if (filter.since !== undefined && !(t >= filter.since)) continue;
        if (filter.until !== undefined && !(t < filter.until)) continue;
        if (vmKey && armIdKey(record.vmId) !== vmKey) continue;
        if (filter.types && !filter.types.includes(record.type)) continue;
        out.push(record);
      }
    }
    return filter.limit !== undefined ? out.slice(-filter.limit) : out;
  }
}
