import { execFile } from "node:child_process";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { type GeneratedKeyPair, type KeyFormat } from "../contracts";

const run = promisify(execFile);

/** ssh-keygen arguments per format: what a VM admin would have generated and stored in Key Vault. */
const KEYGEN_ARGS: Record<KeyFormat, string[]> = {
  "openssh-ed25519": ["-t", "ed25519"],
  // -m PEM makes the classic "-----BEGIN RSA PRIVATE KEY-----" file that older tooling produces.
  "pem-rsa": ["-t", "rsa", "-b", "3072", "-m", "PEM"],
};

/**
 * Generates a key pair with ssh-keygen in a private (0700) temporary folder that is removed before
 * returning, so the private key exists only in memory afterwards (the caller stores it as a
 * Key Vault secret value).
 */
export async function generateKeyPair(format: KeyFormat): Promise<GeneratedKeyPair> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "azsim-keygen-"));
  try {
    await fsp.chmod(dir, 0o700);
    const file = path.join(dir, "key");
    await run("ssh-keygen", ["-q", ...KEYGEN_ARGS[format], "-N", "", "-C", `azsim-${format}`, "-f", file]);
    const privateKey = await fsp.readFile(file, "utf8");
    const publicKey = (await fsp.readFile(`${file}.pub`, "utf8")).trim();
    return { privateKey, publicKey, format };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
