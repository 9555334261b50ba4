import assert from "node:assert/strict";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { KeyStore } from "../../../src/core/credential/keyStore";
import { isJitError } from "../../../src/core/errors";
import type { Logger } from "../../../src/core/logger";
import { tempDir } from "../ssh/helpers/tempDir";
import { ManualClock } from "./helpers/manualClock";

const A = "azjit-vm-ready-ae4316";
const B = "azjit-vm-dev-01-123abc";
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----\n";
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function recordingLogger(lines: string[]): Logger {
  const log = (m: string | Error): void => void lines.push(String(m));
  return { trace: log, debug: log, info: log, warn: log, error: log };
}

function setup(t: { after: (fn: () => void) => void }): { dir: string; clock: ManualClock; store: KeyStore; logs: string[] } {
  const dir = path.join(tempDir(t), "keys");
  const clock = new ManualClock();
  const logs: string[] = [];
  const store = new KeyStore({ dir, clock, logger: recordingLogger(logs) });
  t.after(() => store.dispose());
  return { dir, clock, store, logs };
}

const mode = (p: string): number => statSync(p).mode & 0o777;

test("a key is written 0600 in a 0700 folder, at the path IdentityFile names, and never logged", async (t) => {
  const { dir, clock, store, logs } = setup(t);
  const file = await store.write(A, KEY, clock.now() + 60 * MINUTE);
  assert.equal(file, path.join(dir, A));
  assert.equal(file, store.pathFor(A));
  assert.equal(readFileSync(file, "utf8"), KEY);
  assert.equal(mode(file), 0o600);
  assert.equal(mode(dir), 0o700);
  assert.equal(mode(`${file}.json`), 0o600);
  assert.deepEqual(await store.list(), [{ alias: A, path: file, expiresAt: clock.now() + 60 * MINUTE }]);
  assert.deepEqual(readdirSync(dir).sort(), [A, `${A}.json`], "no temporary file is left");
  assert.ok(logs.length > 0 && logs.every((l) => !l.includes("b3BlbnNzaC1rZXkt") && !l.includes("PRIVATE KEY")));
});

test("the key is removed at expiry on the injected clock, not before", async (t) => {
  const { clock, store } = setup(t);
  const file = await store.write(A, KEY, clock.now() + 60 * MINUTE);
  clock.advance(59 * MINUTE);
  await store.idle();
  assert.ok(existsSync(file));
  clock.advance(MINUTE);
  await store.idle();
  assert.equal(existsSync(file), false);
  assert.equal(existsSync(`${file}.json`), false);
  assert.equal(clock.pending, 0);
});

test("an expiry beyond Node's timer range (30 days) is waited for in steps", async (t) => {
  const { clock, store } = setup(t);
  const file = await store.write(A, KEY, clock.now() + 30 * DAY);
  clock.advance(25 * DAY);
  await store.idle();
  assert.ok(existsSync(file), "still there after the first 24.8-day step");
  clock.advance(5 * DAY);
  await store.idle();
  assert.equal(existsSync(file), false);
});

test("a rewrite with a later expiry keeps the key past the first expiry", async (t) => {
  const { clock, store } = setup(t);
  const file = await store.write(A, KEY, clock.now() + 10 * MINUTE);
  await store.write(A, KEY, clock.now() + 60 * MINUTE);
  clock.advance(30 * MINUTE);
  await store.idle();
  assert.ok(existsSync(file));
  clock.advance(30 * MINUTE);
  await store.idle();
  assert.equal(existsSync(file), false);
});

test("another window extending the same key's access keeps it alive past this window's timer", async (t) => {
  const { dir, clock, store } = setup(t);
  const file = await store.write(A, KEY, clock.now() + 10 * MINUTE);
  const otherWindow = new KeyStore({ dir, clock });
  await otherWindow.write(A, KEY, clock.now() + 60 * MINUTE);
  otherWindow.dispose(); // only this window's timer remains
  clock.advance(10 * MINUTE);
  await store.idle();
  assert.ok(existsSync(file), "the index now says 60 minutes");
  clock.advance(50 * MINUTE);
  await store.idle();
  assert.equal(existsSync(file), false, "this window's timer was re-armed from the index");
});

test("remove and removeAll delete our keys only", async (t) => {
  const { dir, clock, store } = setup(t);
  await store.write(A, KEY, clock.now() + 60 * MINUTE);
  await store.write(B, KEY, clock.now() + 60 * MINUTE);
  writeFileSync(path.join(dir, "README"), "not ours");
  writeFileSync(path.join(dir, "notes.json"), "{}");
  await store.remove(A);
  assert.equal(existsSync(path.join(dir, A)), false);
  await store.remove(A); // again: no error
  assert.equal(await store.removeAll(), 1);
  assert.deepEqual(readdirSync(dir).sort(), ["README", "notes.json"]);
  assert.equal(clock.pending, 0, "no timer is left behind");
});

test("sweep after a crash removes leftovers, expired and no-longer-valid keys, and re-arms the rest", async (t) => {
  const { dir, clock, store } = setup(t);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const now = clock.now();
  const write = (name: string, content: string): void => writeFileSync(path.join(dir, name), content, { mode: 0o600 });
  const aliases = {
    noIndex: "azjit-crash-between-aaaaaa",
    orphanIndex: "azjit-index-only-bbbbbb",
    expired: "azjit-expired-cccccc",
    corrupt: "azjit-corrupt-dddddd",
    revoked: "azjit-revoked-eeeeee",
    valid: "azjit-valid-ffffff",
  };
  write(aliases.noIndex, KEY);
  write(`${aliases.orphanIndex}.json`, JSON.stringify({ alias: aliases.orphanIndex, expiresAt: now + DAY }));
  write(aliases.expired, KEY);
  write(`${aliases.expired}.json`, JSON.stringify({ alias: aliases.expired, expiresAt: now - 1 }));
  write(aliases.corrupt, KEY);
  write(`${aliases.corrupt}.json`, "{not json");
  write(aliases.revoked, KEY);
  write(`${aliases.revoked}.json`, JSON.stringify({ alias: aliases.revoked, expiresAt: now + DAY }));
  write(aliases.valid, KEY);
  write(`${aliases.valid}.json`, JSON.stringify({ alias: aliases.valid, expiresAt: now + 60 * MINUTE }));
  write(`.${aliases.valid}.0123456789ab.tmp`, KEY); // an interrupted atomic write
  write("unrelated.txt", "kept");

  const asked: string[] = [];
  const result = await store.sweep((k) => {
    asked.push(k.alias);
    return k.alias !== aliases.revoked;
  });
  assert.deepEqual(result.removed.sort(), [aliases.corrupt, aliases.noIndex, aliases.expired, aliases.revoked].sort());
  assert.deepEqual(result.kept, [aliases.valid]);
  assert.deepEqual(asked.sort(), [aliases.revoked, aliases.valid].sort(), "only keys with a live index entry are offered to isStillValid");
  assert.deepEqual(readdirSync(dir).sort(), [aliases.valid, `${aliases.valid}.json`, "unrelated.txt"].sort());

  clock.advance(60 * MINUTE);
  await store.idle();
  assert.equal(existsSync(path.join(dir, aliases.valid)), false, "the kept key is still removed at its expiry");
});

test("sweep of a folder that does not exist yet is a no-op", async (t) => {
  const { store } = setup(t);
  assert.deepEqual(await store.sweep(() => true), { removed: [], kept: [] });
});

test("a loose folder is tightened; a folder owned by someone else, a symlink or a file is refused", async (t) => {
  const root = tempDir(t);
  const clock = new ManualClock();
  const loose = path.join(root, "loose");
  mkdirSync(loose, { mode: 0o777 });
  chmodSync(loose, 0o777);
  await new KeyStore({ dir: loose, clock }).write(A, KEY, clock.now() + MINUTE);
  assert.equal(mode(loose), 0o700);

  const refused = async (dir: string, what: RegExp): Promise<void> => {
    const store = new KeyStore({ dir, clock });
    await assert.rejects(store.write(A, KEY, clock.now() + MINUTE), (e: unknown) => isJitError(e) && e.code === "PrivateFolderUnsafe" && what.test(e.message) && e.message.includes(dir));
    assert.equal(existsSync(path.join(dir, A)), false);
    store.dispose();
  };
  const target = path.join(root, "target");
  mkdirSync(target, { mode: 0o700 });
  symlinkSync(target, path.join(root, "link"));
  await refused(path.join(root, "link"), /symbolic link/);
  writeFileSync(path.join(root, "file"), "");
  await assert.rejects(new KeyStore({ dir: path.join(root, "file"), clock }).write(A, KEY, clock.now() + MINUTE));
  if (process.getuid?.() === 0) {
    const foreign = path.join(root, "foreign");
    mkdirSync(foreign, { mode: 0o700 });
    chownSync(foreign, 65534, 65534);
    await refused(foreign, /belongs to user id 65534/);
  }
});

test("aliases that are not ours and expiries in the past are refused", async (t) => {
  const { clock, store } = setup(t);
  for (const bad of ["../escape", "azjit-x/../../etc", "", "id_rsa"]) {
    await assert.rejects(store.write(bad, KEY, clock.now() + MINUTE), (e: unknown) => isJitError(e) && e.code === "InvalidInput", bad);
  }
  await assert.rejects(store.write(A, KEY, clock.now()), (e: unknown) => isJitError(e) && e.code === "InvalidInput");
});

test("expiry follows Azure's clock: with Azure ahead of the local clock, the key goes at Azure's end time", async (t) => {
  const { dir, clock, store } = setup(t);
  const skew = 10 * MINUTE; // Azure's clock is 10 minutes ahead of this machine's
  store.followAzureClock(() => clock.now() + skew);
  const grantEnd = clock.now() + skew + 2 * MINUTE; // Azure says: 2 minutes left
  await store.write(A, KEY, grantEnd);
  clock.advance(3 * MINUTE);
  await store.idle();
  clock.advance(0);
  await store.idle();
  // A local timer alone would wait 12 minutes.
  assert.equal(existsSync(path.join(dir, A)), false, "removed once Azure's time passed the grant's end");
});

test("expiry is idempotent: a second expiry, a remove after it and a shutdown after it all succeed", async (t) => {
  const { dir, clock, store } = setup(t);
  await store.write(A, KEY, clock.now() + MINUTE);
  clock.advance(2 * MINUTE);
  await store.idle();
  clock.advance(2 * MINUTE);
  await store.idle();
  await store.remove(A);
  assert.equal(await store.removeExpired(), 0);
  assert.equal(existsSync(path.join(dir, A)), false);
  assert.equal(clock.pending, 0, "nothing left scheduled");
});

test("a window's shutdown removes only keys no live grant needs", async (t) => {
  const { dir, clock, store } = setup(t);
  await store.write(A, KEY, clock.now() + 60 * MINUTE);
  await store.write(B, KEY, clock.now() + 60 * MINUTE);
  await store.extend(B, clock.now() + 2 * MINUTE);
  const other = new KeyStore({ dir, clock }); // the other window, whose grant for B has ended
  clock.advance(0);
  writeFileSync(path.join(dir, `${B}.json`), JSON.stringify({ alias: B, expiresAt: clock.now() - 1 }), { mode: 0o600 });
  assert.equal(await other.removeExpired(), 1);
  assert.deepEqual(readdirSync(dir).sort(), [A, `${A}.json`].sort(), "A's grant still runs: its key stays");
  other.dispose();
});

test("start-up sweep after a crash with two grants: keys on disk, both grants expired on Azure's clock, both keys go", async (t) => {
  const { dir, clock, store } = setup(t);
  const grants = new Map([
    [A, clock.now() + 30 * MINUTE],
    [B, clock.now() + 90 * MINUTE],
  ]);
  for (const [alias, end] of grants) await store.write(alias, KEY, end);
  // Crash: the window dies with both keys on disk and its timers gone.
  store.dispose();
  clock.advance(0);
  const restarted = new KeyStore({ dir, clock: new ManualClock(clock.now() + 2 * 60 * MINUTE) });
  const result = await restarted.sweep((k) => (grants.get(k.alias) ?? 0) > clock.now() + 2 * 60 * MINUTE);
  assert.deepEqual(result.removed.sort(), [A, B].sort());
  assert.deepEqual(readdirSync(dir), []);

  // The same crash with one grant still running: that key stays, and goes at its end.
  const later = new ManualClock(clock.now());
  const again = new KeyStore({ dir, clock: later });
  await again.write(A, KEY, later.now() + 30 * MINUTE);
  await again.write(B, KEY, later.now() + 90 * MINUTE);
  again.dispose();
  later.advance(60 * MINUTE);
  const third = new KeyStore({ dir, clock: later });
  const swept = await third.sweep((k) => (k.alias === A ? false : true));
  assert.deepEqual([swept.removed, swept.kept], [[A], [B]]);
  later.advance(30 * MINUTE);
  await third.idle();
  later.advance(0);
  await third.idle();
  assert.deepEqual(readdirSync(dir), [], "B's key goes when its grant ends");
  third.dispose();
});
