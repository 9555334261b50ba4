import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { classifySecret, type ClassifiedKey } from "../../../src/core/credential/classifySecret";
import { isJitError } from "../../../src/core/errors";
import { run } from "../ssh/helpers/ssh";
import { keygen, opensslKey, type TestKey } from "./helpers/keys";

const ORIGIN = { vaultUrl: "https://kv-contoso.vault.azure.net", name: "vm-ready-ssh-key" };

function asKey(value: string): ClassifiedKey {
  const c = classifySecret(value, ORIGIN);
  assert.equal(c.kind, "privateKey");
  return c as ClassifiedKey;
}

/** Asserts SecretUnusable naming vault and secret, with `reason` in the message and no part of the value. */
function assertUnusable(value: string, reason: RegExp): void {
  assert.throws(
    () => classifySecret(value, ORIGIN),
    (e: unknown) => {
      if (!isJitError(e) || e.code !== "SecretUnusable") return false;
      assert.match(e.message, reason);
      assert.ok(e.message.includes(ORIGIN.name) && e.message.includes(ORIGIN.vaultUrl), e.message);
      for (const line of value.split("\n")) {
        if (line.length >= 12 && !line.startsWith("-----")) assert.ok(!e.message.includes(line.slice(0, 12)), `the message leaks the value: ${e.message}`);
      }
      return true;
    },
    reason.source,
  );
}

/** Writes a classified key as a 0600 file and asks OpenSSH for its public key. */
async function sshReads(dir: string, key: ClassifiedKey, name: string): Promise<string> {
  const file = path.join(dir, name);
  writeFileSync(file, key.keyText, { mode: 0o600 });
  const r = await run("ssh-keygen", ["-y", "-P", "", "-f", file]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split(" ").slice(0, 2).join(" ");
}

describe("classifySecret with keys from the real ssh-keygen and openssl", () => {
  let dir = "";
  const usable: TestKey[] = [];
  const encrypted: TestKey[] = [];
  let ed25519Pkcs8: TestKey | undefined;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "azjit-keys-"));
    usable.push(
      await keygen(dir, "ed25519-openssh", "ed25519"),
      await keygen(dir, "rsa-openssh", "rsa", ["-b", "2048"]),
      await keygen(dir, "ecdsa-openssh", "ecdsa", ["-b", "384"]),
      await keygen(dir, "rsa-pem", "rsa", ["-b", "2048", "-m", "PEM"]),
      await keygen(dir, "rsa-pkcs8", "rsa", ["-b", "3072", "-m", "PKCS8"]),
      await keygen(dir, "ec-pem", "ecdsa", ["-b", "256", "-m", "PEM"]),
      await keygen(dir, "ec-pkcs8", "ecdsa", ["-b", "521", "-m", "PKCS8"]),
      await opensslKey(dir, "ec-p384-openssl", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]),
    );
    encrypted.push(
      await keygen(dir, "ed25519-openssh-enc", "ed25519", [], "correct horse"),
      await keygen(dir, "rsa-pem-enc", "rsa", ["-b", "2048", "-m", "PEM"], "correct horse"),
      await keygen(dir, "rsa-pkcs8-enc", "rsa", ["-b", "2048", "-m", "PKCS8"], "correct horse"),
      await keygen(dir, "ec-pem-enc", "ecdsa", ["-m", "PEM"], "correct horse"),
      await opensslKey(dir, "ed25519-pkcs8-enc", ["-algorithm", "ed25519", "-aes-256-cbc", "-pass", "pass:correct"]),
    );
    ed25519Pkcs8 = await opensslKey(dir, "ed25519-pkcs8", ["-algorithm", "ed25519"]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("every usable format is recognised, with the public key and fingerprint OpenSSH computes", async () => {
    const formats: Record<string, string> = {
      "ed25519-openssh": "openssh",
      "rsa-openssh": "openssh",
      "ecdsa-openssh": "openssh",
      "rsa-pem": "pkcs1",
      "rsa-pkcs8": "pkcs8",
      "ec-pem": "sec1",
      "ec-pkcs8": "pkcs8",
      "ec-p384-openssl": "pkcs8",
    };
    for (const k of usable) {
      assert.ok(k.publicKey, `${k.name}: OpenSSH reads the original`);
      const c = asKey(k.text);
      assert.equal(c.format, formats[k.name], k.name);
      assert.equal(c.publicKey, k.publicKey, k.name);
      assert.equal(c.fingerprint, k.fingerprint, k.name);
      assert.deepEqual(c.repairs, [], `${k.name}: a clean key needs no repair`);
      assert.equal(c.keyText, k.text, `${k.name}: a clean key is written as stored`);
      assert.equal(await sshReads(dir, c, `${k.name}.out`), k.publicKey);
    }
  });

  test("PKCS#8 Ed25519, which OpenSSH 9.2 cannot read, is converted to an OpenSSH key it reads", async () => {
    assert.ok(ed25519Pkcs8);
    assert.equal(ed25519Pkcs8.publicKey, undefined, "precondition: ssh-keygen refuses the PKCS#8 Ed25519 file");
    const c = asKey(ed25519Pkcs8.text);
    assert.equal(c.format, "pkcs8");
    assert.ok(c.keyText.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
    assert.equal(await sshReads(dir, c, "ed25519-converted"), c.publicKey);
    const raw = createPublicKey(createPrivateKey(ed25519Pkcs8.text)).export({ format: "jwk" }).x;
    assert.equal(c.publicKey.split(" ")[0], "ssh-ed25519");
    assert.ok(Buffer.from(c.publicKey.split(" ")[1] ?? "", "base64").subarray(-32).equals(Buffer.from(raw ?? "", "base64url")), "same public key");
  });

  test("passphrase-protected keys of every format are unusable, with the reason", () => {
    for (const k of encrypted) assertUnusable(k.text, /passphrase-protected keys are not supported/);
  });

  test("what the portal and pipelines do to a key is repaired to the very same key file", async () => {
    for (const k of usable) {
      const clean = asKey(k.text);
      const body = k.text.trim();
      const variants: Record<string, [string, string[]]> = {
        crlf: [k.text.replace(/\n/g, "\r\n"), ["crlf"]],
        "no final newline": [body, ["trailing-newline"]],
        "extra newlines and spaces around": [`\n  ${body}\n\n\n`, ["trailing-newline"]],
        "one line, spaces for newlines": [body.replace(/\n/g, " "), ["rewrapped"]],
        "escaped newlines (JSON)": [body.replace(/\n/g, "\\n"), ["escaped-newlines", "trailing-newline"]],
        "base64 of the file": [Buffer.from(k.text).toString("base64"), ["base64"]],
        "base64 of the file, wrapped": [Buffer.from(k.text).toString("base64").replace(/(.{76})/g, "$1\n"), ["base64"]],
        "rewrapped at 76 columns": [`${body.split("\n")[0]}\n${body.split("\n").slice(1, -1).join("").replace(/(.{76})/g, "$1\n")}\n${body.split("\n").at(-1)}\n`, ["rewrapped"]],
      };
      for (const [name, [value, repairs]] of Object.entries(variants)) {
        const c = asKey(value);
        assert.equal(c.keyText, clean.keyText, `${k.name}, ${name}`);
        assert.equal(c.fingerprint, k.fingerprint, `${k.name}, ${name}`);
        for (const r of repairs) assert.ok(c.repairs.includes(r as never), `${k.name}, ${name}: repairs ${c.repairs.join(",")} lack ${r}`);
      }
    }
    const first = usable[0];
    assert.ok(first);
    assert.equal(await sshReads(dir, asKey(first.text.replace(/\n/g, "\r\n")), "repaired"), first.publicKey);
  });

  test("damaged, partial and mixed contents are unusable with a reason that says which", () => {
    const k = usable[0];
    const pem = usable.find((u) => u.name === "rsa-pem");
    assert.ok(k && pem);
    const lines = k.text.trim().split("\n");
    assertUnusable(lines.slice(0, -1).join("\n"), /no matching END line/);
    assertUnusable(`${lines.slice(0, 2).join("\n")}\n${lines.at(-1)}\n`, /damaged/);
    assertUnusable(`${lines[0]}\n${(lines[1] ?? "").slice(0, 20)}!!\n${lines.at(-1)}\n`, /not valid base64/);
    assertUnusable(`my key:\n${k.text}`, /other text/);
    assertUnusable(`${k.text}${pem.text}`, /more than one/);
    const pemLines = pem.text.trim().split("\n");
    const flipped = [...pemLines];
    flipped[3] = `${(flipped[3] ?? "").slice(0, 10)}AAAAAAAAAA${(flipped[3] ?? "").slice(20)}`;
    assertUnusable(flipped.join("\n"), /damaged/);
  });

  test("things that are not private keys are refused with what they are", async () => {
    const k = usable[0];
    assert.ok(k?.publicKey);
    assertUnusable(k.publicKey, /public key, not a private key/);
    assertUnusable(`${k.publicKey} test-key\n`, /public key, not a private key/);
    const cert = await run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "/dev/null", "-subj", "/CN=x", "-days", "1"]);
    assertUnusable(cert.stdout, /CERTIFICATE, not a private key/);
    const pub = await run("openssl", ["pkey", "-pubout", "-in", path.join(dir, "ec-p384-openssl")]);
    assertUnusable(pub.stdout, /PUBLIC KEY, not a private key/);
    assertUnusable("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: x\nPublic-Lines: 2\n", /PuTTY/);
  });

  test("keys OpenSSH cannot use are refused: tiny RSA, other curves, DSA", async () => {
    const tiny = await opensslKey(dir, "rsa-512", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:512"]);
    assertUnusable(tiny.text, /512 bits; OpenSSH needs at least 1024/);
    const k1 = await opensslKey(dir, "secp256k1", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"]);
    assertUnusable(k1.text, /curve secp256k1/);
    const dsa = await keygen(dir, "dsa-openssh", "dsa");
    assertUnusable(dsa.text, /"ssh-dss" keys cannot be used/);
  });
});

describe("classifySecret with passwords and garbage", () => {
  test("a single printable line is a password; one final line break is dropped", () => {
    for (const [value, password, repairs] of [
      ["P@ssw0rd!2024#", "P@ssw0rd!2024#", []],
      [" spaces are part of it ", " spaces are part of it ", []],
      ["pässwörd-ünïcode-密码", "pässwörd-ünïcode-密码", []],
      ["from-a-file\n", "from-a-file", ["trailing-newline"]],
      ["from-windows\r\n", "from-windows", ["trailing-newline"]],
      ["x".repeat(256), "x".repeat(256), []],
    ] as const) {
      const c = classifySecret(value, ORIGIN);
      assert.deepEqual(c, { kind: "password", password, repairs: [...repairs] }, JSON.stringify(value));
    }
  });

  test("empty, multi-line, control characters and long single lines are unusable", () => {
    assertUnusable("", /empty/);
    assertUnusable("\n", /empty/);
    assertUnusable("line one\nline two", /several lines/);
    assertUnusable("pass\n\n", /several lines/);
    assertUnusable("bell\u0007char", /control characters/);
    assertUnusable("esc\u001b[31m", /control characters/);
    assertUnusable("tab\there", /control characters/);
    assertUnusable(Buffer.from("x".repeat(400)).toString("base64"), /too long for a password/);
  });
});
