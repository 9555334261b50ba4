import { promises as fsp } from "node:fs";
import { withFileLock } from "../fs/fileLock";
import * as path from "node:path";
import { throwIfAborted } from "../cancellation";
import { systemClock, type Clock, type TimerHandle } from "../clock";
import { JitError } from "../errors";
import { PRIVATE_FILE_MODE, readFileIfExists, removeStaleTempFiles, writeFileAtomic } from "../fs/privateFiles";
import { nullLogger, type Logger } from "../logger";
import { isHostAlias } from "../ssh/hostAlias";
import { describeUntrusted } from "../ssh/untrustedText";
import { ensureOwnedPrivateDir } from "./ownedPrivateDir";

/**
 * Private keys fetched from Key Vault, as files ssh can use (`IdentityFile`): one 0600 file per host
 * alias in a 0700 folder that belongs to the user, each with an expiry. A key lives only as long as
 * the access it serves: it is removed at expiry (on the injected clock), on `remove`, on
 * `removeAll` (deactivate, shutdown), and by `sweep` at the next start if a crash left it behind.
 *
 * The expiry index is one small JSON file per key (`<alias>.json`) rather than one shared file, so
 * that two VS Code windows writing keys at the same time never lose each other's entries.
 */

export interface KeyStoreOptions {
  /** The folder for key files (e.g. `SshPaths.keysDir`). */
  dir: string;
  clock?: Clock;
  logger?: Logger;
}

/** A stored key as the index records it (no secret). */
export interface StoredKey {
  alias: string;
  /** The path to put in `IdentityFile`. */
  path: string;
  /** Epoch milliseconds after which the key is removed. */
  expiresAt: number;
}

interface IndexEntry {
  alias: string;
  expiresAt: number;
}

/** Node timers overflow above 2^31-1 ms (about 24.8 days) and would fire at once: longer waits are chained. */
/**
 * The longest single wait before the expiry is checked again against the clock. Short, because
 * a local timer alone does not follow the grant's end: a suspended laptop, a changed system clock
 * or a skew learnt from Azure later all move "now" without a timer noticing.
 */
const MAX_TIMER_MS = 60_000;
const INDEX_SUFFIX = ".json";
const CERT_SUFFIX = "-cert.pub";

export class KeyStore {
  private readonly dir: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly timers = new Map<string, TimerHandle>();
  /** Azure's time once a session knows it (expiries are Azure's end times); the local clock before. */
  private azureNow: (() => number) | undefined;
  /** Operations run one at a time, so a timer's removal cannot interleave with a write of the same key. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: KeyStoreOptions) {
    this.dir = options.dir;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? nullLogger;
  }

  /**
   * Compares expiries with Azure's clock from now on (the signed-in session's skew-corrected clock):
   * a grant ends at Azure's end time, whatever the local clock says.
   */
  followAzureClock(now: (() => number) | undefined): void {
    this.azureNow = now;
  }

  /** Azure's time when known, else the injected clock. */
  private now(): number {
    return this.azureNow?.() ?? this.clock.now();
  }

  /** The key file of `alias` (whether or not it exists): what the host block's IdentityFile names. */
  pathFor(alias: string): string {
    if (!isHostAlias(alias)) throw new JitError("InvalidInput", `Not an Azure JIT Connect host alias: ${describeUntrusted(alias)}.`);
    return path.join(this.dir, alias);
  }

  /**
   * The SSH certificate next to the key of `alias` (Entra ID login): `<key>-cert.pub`, the name
   * OpenSSH also looks for by itself. It lives and goes with the key (expiry, remove, sweep).
   */
  certificatePathFor(alias: string): string {
    return `${this.pathFor(alias)}${CERT_SUFFIX}`;
  }

  /** Stores the certificate of a key already written for `alias` (public, but kept 0600 like the key). */
  async writeCertificate(alias: string, certificateLine: string, signal?: AbortSignal): Promise<string> {
    if (/[\r\n]/.test(certificateLine)) throw new JitError("InvalidInput", "An SSH certificate is a single line.");
    const file = this.certificatePathFor(alias);
    return this.serial(async () => {
      throwIfAborted(signal);
      if (!(await fsp.stat(this.pathFor(alias)).then(() => true, () => false))) throw new JitError("InvalidInput", `No key is stored for ${alias}; not storing a certificate for it.`);
      await writeFileAtomic(file, `${certificateLine}\n`, { mode: PRIVATE_FILE_MODE });
      return file;
    });
  }

  private indexPathFor(alias: string): string {
    return `${this.pathFor(alias)}${INDEX_SUFFIX}`;
  }

  /**
   * One operation at a time: in this window (the queue) and across windows sharing the folder (a
   * cross-process lock), since another window's half-done write looks like crash debris to a scan.
   */
  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const locked = (): Promise<T> => withFileLock(this.dir, operation);
    const run = this.queue.then(locked, locked);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Stores `keyText` (a private key: secret) for `alias` until `expiresAt` and returns its path.
   * The index entry is written before the key, so a crash in between leaves a key without an
   * index entry or an entry without a key, both of which `sweep` removes.
   */
  async write(alias: string, keyText: string, expiresAt: number, signal?: AbortSignal): Promise<string> {
    const file = this.pathFor(alias);
    if (expiresAt <= this.now()) throw new JitError("InvalidInput", `The access for ${alias} has already expired; not storing its key.`);
    return this.serial(async () => {
      throwIfAborted(signal);
      await ensureOwnedPrivateDir(this.dir);
      const entry: IndexEntry = { alias, expiresAt };
      await writeFileAtomic(this.indexPathFor(alias), `${JSON.stringify(entry)}\n`, { mode: PRIVATE_FILE_MODE });
      await writeFileAtomic(file, keyText, { mode: PRIVATE_FILE_MODE });
      this.schedule(alias, expiresAt);
      this.logger.debug(`Stored the SSH key for ${alias} until ${new Date(expiresAt).toISOString()}`);
      return file;
    });
  }

  /** True when a key file for `alias` is on disk (it may still be removed at its expiry). */
  async has(alias: string): Promise<boolean> {
    const file = this.pathFor(alias);
    return fsp.stat(file).then(
      (st) => st.isFile(),
      () => false,
    );
  }

  /** Moves the expiry of a stored key (access was extended); no-op when the key is absent. */
  async extend(alias: string, expiresAt: number): Promise<void> {
    const file = this.pathFor(alias);
    return this.serial(async () => {
      if (!(await fsp.stat(file).then(() => true, () => false))) return;
      const entry: IndexEntry = { alias, expiresAt };
      await writeFileAtomic(this.indexPathFor(alias), `${JSON.stringify(entry)}\n`, { mode: PRIVATE_FILE_MODE });
      this.schedule(alias, expiresAt);
    });
  }

  /** Removes the key of `alias` and its index entry (no error when absent). */
  async remove(alias: string): Promise<void> {
    const file = this.pathFor(alias);
    return this.serial(async () => {
      this.unschedule(alias);
      await this.deleteFiles(alias, file);
    });
  }

  private async deleteFiles(alias: string, file: string): Promise<void> {
    const existed = await fsp
      .rm(file)
      .then(() => true)
      .catch((e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") return false;
        throw e;
      });
    await fsp.rm(`${file}${INDEX_SUFFIX}`, { force: true });
    await fsp.rm(`${file}${CERT_SUFFIX}`, { force: true });
    if (existed) this.logger.debug(`Removed the SSH key for ${alias}`);
  }

  /** Removes every key in the folder (deactivate, extension shutdown). Returns how many went. */
  removeAll(): Promise<number> {
    return this.serial(async () => {
      for (const alias of [...this.timers.keys()]) this.unschedule(alias);
      const { keys, orphanIndexes } = await this.scan();
      for (const alias of [...keys, ...orphanIndexes]) await this.deleteFiles(alias, path.join(this.dir, alias));
      await removeStaleTempFiles(this.dir);
      return keys.length;
    });
  }

  /**
   * Removes the keys whose access has ended (and what a crash left half-written), keeping those a
   * live grant still needs: a window's shutdown must not take another window's keys.
   */
  removeExpired(): Promise<number> {
    return this.serial(async () => {
      for (const alias of [...this.timers.keys()]) this.unschedule(alias);
      const { keys, orphanIndexes } = await this.scan();
      let removed = 0;
      for (const alias of [...keys, ...orphanIndexes]) {
        const entry = await this.readIndex(alias);
        if (entry && keys.includes(alias) && entry.expiresAt > this.now()) continue;
        // Without a readable entry, its access cannot be known: leave it to the start-up sweep.
        if (!entry) continue;
        await this.deleteFiles(alias, path.join(this.dir, alias));
        removed++;
      }
      await removeStaleTempFiles(this.dir);
      return removed;
    });
  }

  /** Lists the stored keys with their expiry (keys without a readable index entry are omitted). */
  list(): Promise<StoredKey[]> {
    return this.serial(async () => {
      const { keys } = await this.scan();
      const out: StoredKey[] = [];
      for (const alias of keys) {
        const entry = await this.readIndex(alias);
        if (entry) out.push({ alias, path: path.join(this.dir, alias), expiresAt: entry.expiresAt });
      }
      return out;
    });
  }

  /**
   * Run at start: deletes what a crash left behind (keys without an index entry, entries without a
   * key, interrupted writes), expired keys, and keys whose access `isStillValid` says is over; the
   * rest get their removal timer back. Returns the aliases removed and kept.
   */
  sweep(isStillValid: (key: StoredKey) => boolean | Promise<boolean>): Promise<{ removed: string[]; kept: string[] }> {
    return this.serial(async () => {
      const removed: string[] = [];
      const kept: string[] = [];
      try {
        await fsp.access(this.dir);
      } catch {
        return { removed, kept };
      }
      await ensureOwnedPrivateDir(this.dir);
      await removeStaleTempFiles(this.dir);
      const { keys, orphanIndexes } = await this.scan();
      for (const alias of orphanIndexes) await fsp.rm(path.join(this.dir, `${alias}${INDEX_SUFFIX}`), { force: true });
      for (const alias of keys) {
        const entry = await this.readIndex(alias);
        const file = path.join(this.dir, alias);
        const valid = entry !== undefined && entry.expiresAt > this.now() && (await isStillValid({ alias, path: file, expiresAt: entry.expiresAt }));
        if (valid && entry) {
          this.schedule(alias, entry.expiresAt);
          kept.push(alias);
        } else {
          this.unschedule(alias);
          await this.deleteFiles(alias, file);
          removed.push(alias);
        }
      }
      return { removed, kept };
    });
  }

  /** Resolves once every operation started so far (including removals fired by timers) has finished. */
  async idle(): Promise<void> {
    await this.queue;
  }

  /** Stops the expiry timers (the files stay; call `removeAll` first on shutdown). */
  dispose(): void {
    for (const alias of [...this.timers.keys()]) this.unschedule(alias);
  }

  private async scan(): Promise<{ keys: string[]; orphanIndexes: string[] }> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { keys: [], orphanIndexes: [] };
      throw e;
    }
    // Only names we create are ever touched: the folder might be shared with files we do not own.
    const keys = names.filter(isHostAlias).sort();
    const orphanIndexes = names
      .filter((n) => n.endsWith(INDEX_SUFFIX))
      .map((n) => n.slice(0, -INDEX_SUFFIX.length))
      .filter((alias) => isHostAlias(alias) && !keys.includes(alias));
    return { keys, orphanIndexes };
  }

  private async readIndex(alias: string): Promise<IndexEntry | undefined> {
    const text = await readFileIfExists(this.indexPathFor(alias));
    if (text === undefined) return undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null) return undefined;
      const { alias: a, expiresAt } = parsed as Partial<IndexEntry>;
      return a === alias && typeof expiresAt === "number" && Number.isFinite(expiresAt) ? { alias, expiresAt } : undefined;
    } catch {
      return undefined;
    }
  }

  private schedule(alias: string, expiresAt: number): void {
    this.unschedule(alias);
    const delay = Math.min(Math.max(0, expiresAt - this.now()), MAX_TIMER_MS);
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(alias);
      void this.expire(alias).catch((e: unknown) => this.logger.warn(`Could not remove the expired SSH key for ${alias}: ${e instanceof Error ? e.message : String(e)}`));
    }, delay);
    this.timers.set(alias, handle);
  }

  private unschedule(alias: string): void {
    const handle = this.timers.get(alias);
    if (handle !== undefined) this.clock.clearTimeout(handle);
    this.timers.delete(alias);
  }

  /** At a timer: remove the key unless its entry now says later (another window extended the access, or the wait was chained). */
  private expire(alias: string): Promise<void> {
    return this.serial(async () => {
      if (this.timers.has(alias)) return; // rescheduled by a write meanwhile
      const entry = await this.readIndex(alias);
      if (entry && entry.expiresAt > this.now()) {
        this.schedule(alias, entry.expiresAt);
        return;
      }
      await this.deleteFiles(alias, path.join(this.dir, alias));
    });
  }
}
