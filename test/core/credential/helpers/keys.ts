import { readFileSync } from "node:fs";
import * as path from "node:path";
import { run, sshKeygen } from "../../ssh/helpers/ssh";

/** A private key file made by a real tool, with what OpenSSH says about it. */
export interface TestKey {
  name: string;
  text: string;
  /** `ssh-keygen -y` output (type and base64), or undefined when OpenSSH cannot read the file as is. */
  publicKey: string | undefined;
  /** `ssh-keygen -l -E sha256` fingerprint, when OpenSSH reads the file. */
  fingerprint: string | undefined;
}

async function describe(name: string, file: string): Promise<TestKey> {
  const text = readFileSync(file, "utf8");
  const y = await run("ssh-keygen", ["-y", "-P", "", "-f", file]);
  const l = await run("ssh-keygen", ["-l", "-E", "sha256", "-f", file]);
  return {
    name,
    text,
    publicKey: y.code === 0 ? y.stdout.trim().split(" ").slice(0, 2).join(" ") : undefined,
    fingerprint: y.code === 0 ? l.stdout.split(" ")[1] : undefined,
  };
}

export async function keygen(dir: string, name: string, type: string, extra: readonly string[] = [], passphrase = ""): Promise<TestKey> {
  const file = path.join(dir, name);
  await sshKeygen(file, type, extra, passphrase);
  return describe(name, file);
}

/** A key made with openssl (formats ssh-keygen does not write: PKCS#8 Ed25519, other curves, tiny RSA). */
export async function opensslKey(dir: string, name: string, args: readonly string[]): Promise<TestKey> {
  const file = path.join(dir, name);
  const r = await run("openssl", ["genpkey", ...args, "-out", file]);
  if (r.code !== 0) throw new Error(`openssl genpkey failed: ${r.stderr}`);
  await run("chmod", ["600", file]);
  return describe(name, file);
}
