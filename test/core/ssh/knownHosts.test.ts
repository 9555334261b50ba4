import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { isJitError } from "../../../src/core/errors";
import { deriveHostKeyAlias } from "../../../src/core/ssh/hostAlias";
import { FORGET_HOST_KEY_ACTION, recognizeHostKeyChanged } from "../../../src/core/ssh/hostKeyChanged";
import { forgetPinnedHostKeys, listPinnedHostKeys } from "../../../src/core/ssh/knownHosts";
import { run, sshKeygen } from "./helpers/ssh";
import { tempDir } from "./helpers/tempDir";

const VM_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-rebuilt";
const ALIAS = deriveHostKeyAlias(VM_ID);
const OTHER = deriveHostKeyAlias(`${VM_ID}-other`);

async function hostKey(dir: string, name: string, type: string): Promise<{ line: string; fingerprint: string }> {
  const file = path.join(dir, name);
  await sshKeygen(file, type);
  const pub = readFileSync(`${file}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
  const fp = (await run("ssh-keygen", ["-l", "-E", "sha256", "-f", `${file}.pub`])).stdout.split(" ")[1] ?? "";
  return { line: pub, fingerprint: fp };
}

/** A hashed entry, made by the real ssh-keygen -H. */
async function hashed(dir: string, host: string, key: string): Promise<string> {
  const file = path.join(dir, `hash-${host}`);
  writeFileSync(file, `${host} ${key}\n`);
  const r = await run("ssh-keygen", ["-H", "-f", file]);
  assert.equal(r.code, 0, r.stderr);
  return readFileSync(file, "utf8").trim();
}

test("lists and forgets one VM's pins (plain, hashed, multi-name), keeping everything else byte for byte", async (t) => {
  const dir = tempDir(t);
  const ed = await hostKey(dir, "ed", "ed25519");
  const ec = await hostKey(dir, "ec", "ecdsa");
  const rsa = await hostKey(dir, "rsa", "rsa");
  const hashedLine = await hashed(dir, ALIAS, ec.line);
  const keep = [
    "# pinned by Azure JIT Connect\n",
    `${OTHER} ${ed.line}\r\n`,
    `@revoked ${ALIAS} ${rsa.line}\n`,
    `@cert-authority *.example ${rsa.line}\n`,
    "\n",
    `  ${OTHER.toUpperCase()}x ${ed.line}\n`,
  ];
  const forget = [`${ALIAS} ${ed.line}\n`, `${hashedLine}\n`, `other-name,${ALIAS} ${rsa.line}\n`];
  const file = path.join(dir, "known_hosts");
  const lastLine = `${OTHER} ${ec.line}`; // no final newline
  const ordered = [keep[0], forget[0], keep[1], forget[1], keep[2], keep[3], forget[2], keep[4], keep[5], lastLine];
  writeFileSync(file, ordered.join(""), { mode: 0o640 });

  const pins = await listPinnedHostKeys(file, ALIAS);
  assert.deepEqual(
    pins.map((p) => [p.line, p.marker, p.keyType, p.fingerprint, p.hashed]),
    [
      [2, undefined, "ssh-ed25519", ed.fingerprint, false],
      [4, undefined, "ecdsa-sha2-nistp256", ec.fingerprint, true],
      [5, "revoked", "ssh-rsa", rsa.fingerprint, false],
      [7, undefined, "ssh-rsa", rsa.fingerprint, false],
    ],
  );

  assert.equal(await forgetPinnedHostKeys(file, ALIAS), 3);
  assert.equal(readFileSync(file, "utf8"), [keep[0], keep[1], keep[2], keep[3], keep[4], keep[5], lastLine].join(""));
  assert.equal(statSync(file).mode & 0o777, 0o640, "the file keeps its mode");
  // The real ssh-keygen agrees: only the @revoked line still names the alias.
  const found = await run("ssh-keygen", ["-F", ALIAS, "-f", file]);
  assert.deepEqual(
    found.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("#")),
    [`@revoked ${ALIAS} ${rsa.line}`],
  );
  assert.equal(await forgetPinnedHostKeys(file, ALIAS), 0, "forgetting again changes nothing");
});

test("a missing known_hosts has no pins and nothing to forget", async (t) => {
  const dir = tempDir(t);
  assert.deepEqual(await listPinnedHostKeys(path.join(dir, "none"), ALIAS), []);
  assert.equal(await forgetPinnedHostKeys(path.join(dir, "none"), ALIAS), 0);
});

const CHANGED_STDERR = `@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
Someone could be eavesdropping on you right now (man-in-the-middle attack)!
It is also possible that a host key has just been changed.
The fingerprint for the ED25519 key sent by the remote host is
SHA256:q1Xr0Ue8Wq3b8S0Qe0t5mYh0pX9vJc6w4kS7bN2rT1o.
Please contact your system administrator.
Add correct host key in /tmp/k/known_hosts to get rid of this message.
Offending ED25519 key in /tmp/k/known_hosts:1
Host key for ${ALIAS} has changed and you have requested strict checking.
Host key verification failed.
`;

test("recognises ssh's changed-host-key report and names the VM, the new fingerprint and the forget action", () => {
  const e = recognizeHostKeyChanged(CHANGED_STDERR, { id: VM_ID, name: "vm-rebuilt\n<script>" });
  assert.ok(e && isJitError(e));
  assert.equal(e.code, "HostKeyChanged");
  assert.ok(e.message.includes('"vm-rebuilt\\u000a<script>"'));
  assert.ok(e.message.includes("ED25519 SHA256:q1Xr0Ue8Wq3b8S0Qe0t5mYh0pX9vJc6w4kS7bN2rT1o"));
  assert.deepEqual(
    { action: e.details["action"], hostKeyAlias: e.details["hostKeyAlias"], fingerprint: e.details["fingerprint"], vmId: e.details["vmId"] },
    { action: FORGET_HOST_KEY_ACTION, hostKeyAlias: ALIAS, fingerprint: "SHA256:q1Xr0Ue8Wq3b8S0Qe0t5mYh0pX9vJc6w4kS7bN2rT1o", vmId: VM_ID },
  );
});

test("other ssh failures are not mistaken for a changed host key", () => {
  for (const stderr of ["Permission denied (publickey).", "Connection closed by UNKNOWN port 65535", "Host key verification failed.", ""]) {
    assert.equal(recognizeHostKeyChanged(stderr, { id: VM_ID, name: "vm" }), undefined, stderr);
  }
});
