import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { KeyStore } from "../../../src/core/credential/keyStore";
import { materialiseCredential } from "../../../src/core/credential/materialiseCredential";
import { PasswordStore } from "../../../src/core/credential/passwordStore";
import type { SecretReader, SecretValue } from "../../../src/core/credential/secretReader";
import { parseSecretUri } from "../../../src/core/credential/secretUri";
import { BUILT_IN_CLOUDS } from "../../../src/core/cloud";
import { JitError, isJitError } from "../../../src/core/errors";
import type { Logger } from "../../../src/core/logger";
import { tempDir } from "../ssh/helpers/tempDir";
import { keygen } from "./helpers/keys";
import { ManualClock } from "./helpers/manualClock";

const ALIAS = "azjit-vm-ready-ae4316";
const SECRET = parseSecretUri("https://kv-contoso.vault.azure.net/secrets/vm-ready-key", { vmName: "vm-ready", field: "tag" }, BUILT_IN_CLOUDS.AzureCloud);

function reader(value: string, seen: URL[] = []): SecretReader {
  return async (uri: URL): Promise<SecretValue> => {
    seen.push(uri);
    return { value, name: "vm-ready-key", version: "0123456789abcdef0123456789abcdef", vaultUrl: "https://kv-contoso.vault.azure.net" };
  };
}

function world(t: { after: (fn: () => void) => void }): { clock: ManualClock; keyStore: KeyStore; passwords: PasswordStore; logs: string[]; logger: Logger; dir: string } {
  const dir = tempDir(t);
  const clock = new ManualClock();
  const keyStore = new KeyStore({ dir: path.join(dir, "keys"), clock });
  const passwords = new PasswordStore(clock);
  t.after(() => {
    keyStore.dispose();
    passwords.clear();
  });
  const logs: string[] = [];
  const log = (m: string | Error): void => void logs.push(String(m));
  return { clock, keyStore, passwords, logs, logger: { trace: log, debug: log, info: log, warn: log, error: log }, dir };
}

test("a key secret (stored with CRLF) becomes a 0600 key file that ssh-keygen loads; only the fingerprint is logged", async (t) => {
  const w = world(t);
  const key = await keygen(w.dir, "id", "ed25519");
  const seen: URL[] = [];
  w.passwords.set(ALIAS, "stale password", w.clock.now() + 60_000);
  const cred = await materialiseCredential(
    { alias: ALIAS, secret: SECRET, expiresAt: w.clock.now() + 3_600_000 },
    { readSecret: reader(key.text.replace(/\n/g, "\r\n"), seen), keyStore: w.keyStore, passwords: w.passwords, logger: w.logger },
  );
  assert.equal(seen[0]?.href, SECRET.uri.href);
  assert.ok(cred.kind === "key");
  assert.equal(cred.identityFile, w.keyStore.pathFor(ALIAS));
  assert.equal(readFileSync(cred.identityFile, "utf8"), key.text);
  assert.equal(statSync(cred.identityFile).mode & 0o777, 0o600);
  assert.equal(cred.fingerprint, key.fingerprint);
  assert.equal(cred.publicKey, key.publicKey);
  assert.equal(w.passwords.get(ALIAS), undefined, "switching to a key drops a stale password");
  assert.ok(w.logs.some((l) => l.includes(key.fingerprint ?? "?") && l.includes("repaired: crlf")));
  const body = key.text.split("\n")[1] ?? "";
  assert.ok(w.logs.every((l) => !l.includes(body.slice(0, 16))), "no part of the key is logged");
});

test("a password secret goes to the in-memory store only, and a stale key file is removed", async (t) => {
  const w = world(t);
  const stale = await w.keyStore.write(ALIAS, "old key", w.clock.now() + 60_000);
  const cred = await materialiseCredential(
    { alias: ALIAS, secret: SECRET, expiresAt: w.clock.now() + 3_600_000 },
    { readSecret: reader("Tr0ub4dor&3\n"), keyStore: w.keyStore, passwords: w.passwords, logger: w.logger },
  );
  assert.deepEqual(cred, { kind: "password", secretVersion: "0123456789abcdef0123456789abcdef" });
  assert.equal(w.passwords.get(ALIAS), "Tr0ub4dor&3");
  assert.equal(existsSync(stale), false);
  assert.ok(w.logs.every((l) => !l.includes("Tr0ub4dor")));
});

test("reader failures: JitErrors and cancellation pass through, others are wrapped with the secret's name", async (t) => {
  const w = world(t);
  const deps = (readSecret: SecretReader): Parameters<typeof materialiseCredential>[1] => ({ readSecret, keyStore: w.keyStore, passwords: w.passwords });
  const input = { alias: ALIAS, secret: SECRET, expiresAt: w.clock.now() + 60_000 };
  await assert.rejects(
    materialiseCredential(input, deps(async () => Promise.reject(new JitError("SecretForbidden", "no access")))),
    (e: unknown) => isJitError(e) && e.code === "SecretForbidden",
  );
  await assert.rejects(
    materialiseCredential(input, deps(async () => Promise.reject(new Error("socket hang up")))),
    (e: unknown) => isJitError(e) && e.code === "AzureRequestFailed" && e.message.includes("vm-ready-key") && e.message.includes("socket hang up"),
  );
  const aborted = new Error("aborted");
  aborted.name = "AbortError";
  await assert.rejects(materialiseCredential(input, deps(async () => Promise.reject(aborted))), { name: "AbortError" });
});

test("an unusable secret writes nothing; a key OpenSSH cannot load is removed again", async (t) => {
  const w = world(t);
  const input = { alias: ALIAS, secret: SECRET, expiresAt: w.clock.now() + 60_000 };
  await assert.rejects(
    materialiseCredential(input, { readSecret: reader("line1\nline2"), keyStore: w.keyStore, passwords: w.passwords }),
    (e: unknown) => isJitError(e) && e.code === "SecretUnusable",
  );
  assert.equal(existsSync(w.keyStore.pathFor(ALIAS)), false);
  const key = await keygen(w.dir, "id2", "ed25519");
  await assert.rejects(
    materialiseCredential(input, { readSecret: reader(key.text), keyStore: w.keyStore, passwords: w.passwords, sshKeygenPath: "/nonexistent/ssh-keygen" }),
    (e: unknown) => isJitError(e) && e.code === "SshClientMissing",
  );
  assert.equal(existsSync(w.keyStore.pathFor(ALIAS)), false);
});
