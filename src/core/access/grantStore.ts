import { promises as fsp } from "node:fs";
import { withFileLock } from "../fs/fileLock";
import * as path from "node:path";
import { armIdKey } from "../azure/armIds";
import { errorMessage } from "../errors";
import { ensurePrivateDir, readFileIfExists, removeStaleTempFiles, writeFileAtomic } from "../fs/privateFiles";
import { type Logger, nullLogger } from "../logger";
import type { AccessInputValues } from "./accessInput";
import type { Grant, TicketInfo } from "./grant";
import { type AccessState, TRANSITIONS } from "./states";

/** What a flow needs to continue after a restart (all of it is also what the audit journal records). */
export interface AccessRequestContext {
  purpose: "request" | "extend";
  vmId: string;
  vmName: string;
  tenantId: string;
  subscriptionId: string;
  scope: string;
  roleDefinitionId: string;
  roleName?: string;
  eligibilityScheduleId?: string;
  principalId: string;
  /** Our PIM request (GUID), once sent. */
  requestName?: string;
  durationMs: number;
  justification?: string;
  ticket?: TicketInfo;
  jitPolicy: { id: string; name: string; subscriptionId: string; resourceGroup: string; location: string };
  port: number;
  sourcePrefix: string;
  /** What the PIM policy demands of the token (for a step-up when PIM refuses without saying). */
  requires?: { mfa?: boolean; authenticationContext?: string };
  /** The role was already active; no activation was requested. */
  reusedRole?: boolean;
  roleStartsAt?: number;
  roleEndsAt?: number;
  /** The JIT request once sent: its start and the end we asked for. */
  jitStartedAt?: number;
  jitEndsAt?: number;
  startedAt: number;
}

/** Everything the store keeps for one VM. */
export interface AccessRecord {
  vmId: string;
  vmName: string;
  state: AccessState;
  request?: AccessRequestContext;
  /** The current grant (granted, extending, deactivating) or the last one (expired, a failed extend). */
  grant?: Grant;
  /** Countdown notifications already shown, per grant instance (so a restart does not repeat them). */
  notified?: { grantKey: string; marks: number[] };
  /** "Activate again when it ends" (reactivation.ts): when (Azure's clock) and with which answers. */
  reactivation?: PlannedReactivation;
  updatedAt: number;
}

export interface PlannedReactivation {
  at: number;
  values: AccessInputValues;
}

/** A plan read back from the file is used only when it has the shape we write. */
export function isPlannedReactivation(v: unknown): v is PlannedReactivation {
  const p = v as Partial<PlannedReactivation> | undefined;
  const values = p?.values as Partial<AccessInputValues> | undefined;
  return (
    typeof p?.at === "number" &&
    Number.isFinite(p.at) &&
    typeof values?.durationMs === "number" &&
    values.durationMs > 0 &&
    (values.justification === undefined || typeof values.justification === "string")
  );
}

const FORMAT_VERSION = 1;

interface StoreFile {
  version: number;
  records: AccessRecord[];
}

function isRecord(v: unknown): v is AccessRecord {
  if (typeof v !== "object" || v === null) return false;
  const r = v as Partial<AccessRecord>;
  const kind = (r.state as { kind?: unknown } | undefined)?.kind;
  return typeof r.vmId === "string" && typeof r.vmName === "string" && typeof kind === "string" && kind in TRANSITIONS && typeof r.updatedAt === "number";
}

/**
 * The grant store (`grants.json`): one record per VM, so that a restart resumes countdowns and
 * pending approvals. Owner-only (0600) in an owner-only folder; every change rewrites the file
 * atomically (temp + fsync + rename), in order. A corrupt or unknown-format file is set aside with a
 * clear log line and the store starts empty: Azure still holds the truth, and the next inventory
 * shows active roles and JIT windows again.
 */
export class GrantStore {
  private readonly records = new Map<string, AccessRecord>();
  private writing: Promise<void> = Promise.resolve();

  /** VMs whose record this window removed: not resurrected from another window's copy on disk. */
  private readonly removed = new Set<string>();

  private constructor(
    readonly file: string,
    private readonly logger: Logger,
  ) {}

  static async open(file: string, options: { logger?: Logger } = {}): Promise<GrantStore> {
    const store = new GrantStore(file, options.logger ?? nullLogger);
    await ensurePrivateDir(path.dirname(file));
    await removeStaleTempFiles(path.dirname(file));
    await store.load();
    return store;
  }

  private async load(): Promise<void> {
    const text = await readFileIfExists(this.file);
    if (text === undefined) return;
    let parsed: StoreFile | undefined;
    let problem: string | undefined;
    try {
      const raw: unknown = JSON.parse(text);
      const candidate = raw as Partial<StoreFile> | null;
      if (typeof candidate !== "object" || candidate === null || !Array.isArray(candidate.records)) problem = "it is not a grant store";
      else if (candidate.version !== FORMAT_VERSION) problem = `it has format version ${String(candidate.version)}, this version reads ${FORMAT_VERSION}`;
      else parsed = candidate as StoreFile;
    } catch (e) {
      problem = `it is not valid JSON (${errorMessage(e)})`;
    }
    if (!parsed) {
      const aside = `${this.file}.unreadable-${Date.now()}`;
      await fsp.rename(this.file, aside).catch(() => undefined);
      this.logger.warn(`The access store ${this.file} could not be read because ${problem ?? "of an unknown problem"}; it was moved to ${aside} and a new one was started. Active roles and JIT windows reappear after the next refresh.`);
      return;
    }
    let dropped = 0;
    for (const r of parsed.records) {
      if (isRecord(r)) this.records.set(armIdKey(r.vmId), r);
      else dropped++;
    }
    if (dropped > 0) this.logger.warn(`The access store ${this.file} had ${dropped} unreadable record(s); they were ignored.`);
  }

  get(vmId: string): AccessRecord | undefined {
    return this.records.get(armIdKey(vmId));
  }

  all(): AccessRecord[] {
    return [...this.records.values()];
  }

  /** Grants currently held (granted, or being extended or deactivated). */
  grants(): Grant[] {
    return this.all().flatMap((r) => {
      const s = r.state;
      return (s.kind === "granted" || s.kind === "extending" || s.kind === "deactivating") && s.grant ? [s.grant] : [];
    });
  }

  /** Replaces the record of `record.vmId` and persists. Resolves when the file is on disk. */
  put(record: AccessRecord): Promise<void> {
    this.records.set(armIdKey(record.vmId), record);
    this.removed.delete(armIdKey(record.vmId));
    return this.persist();
  }

  remove(vmId: string): Promise<void> {
    this.records.delete(armIdKey(vmId));
    this.removed.add(armIdKey(vmId));
    return this.persist();
  }

  wasNotified(vmId: string, grantKey: string, mark: number): boolean {
    const n = this.get(vmId)?.notified;
    return n?.grantKey === grantKey && n.marks.includes(mark);
  }

  /** Remembers that the countdown notification `mark` (minutes) was shown for this grant instance. */
  markNotified(vmId: string, grantKey: string, mark: number): Promise<void> {
    const r = this.get(vmId);
    if (!r) return Promise.resolve();
    const marks = r.notified?.grantKey === grantKey ? [...new Set([...r.notified.marks, mark])] : [mark];
    return this.put({ ...r, notified: { grantKey, marks } });
  }

  /** Saves (or with undefined, drops) the VM's planned re-activation, so that a restart keeps it. */
  setReactivation(vmId: string, plan: PlannedReactivation | undefined): Promise<void> {
    const r = this.get(vmId);
    if (!r) return Promise.resolve();
    const { reactivation: _previous, ...rest } = r;
    return this.put(plan ? { ...rest, reactivation: plan } : rest);
  }

  private persist(): Promise<void> {
    // Writes are chained so the file always ends with the latest snapshot.
    const next = this.writing.then(() => this.writeMerged());
    this.writing = next.catch((e: unknown) => this.logger.error(`Could not save the access store ${this.file}: ${errorMessage(e)}`));
    return next;
  }

  /**
   * Another VS Code window shares the file: under the cross-process lock, keep the records it wrote
   * for VMs this window has not touched, and write ours (and our removals) over them.
   */
  private async writeMerged(): Promise<void> {
    const removedNow = [...this.removed];
    await withFileLock(this.file, async () => {
      const merged = new Map<string, AccessRecord>();
      const text = await readFileIfExists(this.file);
      try {
        const onDisk = text === undefined ? undefined : (JSON.parse(text) as Partial<StoreFile>);
        if (onDisk?.version === FORMAT_VERSION && Array.isArray(onDisk.records)) {
          for (const r of onDisk.records) if (isRecord(r) && !this.removed.has(armIdKey(r.vmId))) merged.set(armIdKey(r.vmId), r);
        }
      } catch {
        // An unreadable file is replaced by what this window knows.
      }
      for (const [key, r] of this.records) merged.set(key, r);
      const snapshot: StoreFile = { version: FORMAT_VERSION, records: [...merged.values()] };
      await writeFileAtomic(this.file, `${JSON.stringify(snapshot, null, 2)}\n`);
    });
    // Gone from the file now; a record another window writes for that VM later is its own.
    for (const key of removedNow) if (!this.records.has(key)) this.removed.delete(key);
  }

  /** Resolves when every pending write has finished. */
  flush(): Promise<void> {
    return this.writing;
  }
}
