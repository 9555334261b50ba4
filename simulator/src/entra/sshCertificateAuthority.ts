import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * The simulated Entra SSH certificate authority. Entra signs user certificates with an RSA CA key
 * (himmelblau-idm/libhimmelblau src/ssh.rs parses them; the Azure CLI writes them as
 * `ssh-rsa-cert-v01@openssh.com`); the VM's `aad_certhandler` fetches the CA keys through IMDS.
 * Here the CA is an RSA 3072 key made once in `<home>/entra-ssh-ca/` (0700) and reused, so that
 * creating it does not slow down every simulator start; the simulated VMs trust its public half.
 */
export interface SshCertificateAuthority {
  /** OpenSSH public-key line of the CA ("ssh-rsa AAAA… comment"). */
  readonly publicKey: string;
  sign(input: SshCertificateInput): Promise<string>;
}

export interface SshCertificateInput {
  /** `ssh-rsa AAAA…` */
  publicKeyLine: string;
  /** Certificate key id: `<objectId>@<tenantId>`. */
  keyId: string;
  /** Principals; Entra puts the UPN. */
  principals: string[];
  /** Certificate extensions with string values (`tid@sshservice.azure.net`, …). */
  extensions: Record<string, string>;
  /** Validity, in ms since the epoch of the machine's clock (sshd checks it against that clock). */
  validFromMs: number;
  validToMs: number;
}

export async function ensureSshCertificateAuthority(home: string): Promise<SshCertificateAuthority> {
  const dir = path.join(home, "entra-ssh-ca");
  const keyPath = path.join(dir, "ca");
  if (!existsSync(keyPath) || !existsSync(`${keyPath}.pub`)) {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = path.join(dir, `ca.${process.pid}.${randomBytes(3).toString("hex")}.tmp`);
    await run("ssh-keygen", ["-q", "-t", "rsa", "-b", "3072", "-N", "", "-C", "azsim-entra-ssh-ca", "-f", tmp]);
    // Public half first: whoever sees the private key also finds its public key.
    await fsp.rename(`${tmp}.pub`, `${keyPath}.pub`);
    await fsp.rename(tmp, keyPath);
  }
  const publicKey = (await fsp.readFile(`${keyPath}.pub`, "utf8")).trim();
  return { publicKey, sign: (input) => signCertificate(keyPath, input) };
}

/** `ssh-keygen -s`: stores extension values as SSH strings, the encoding Entra's certificates use. */
async function signCertificate(caKeyPath: string, input: SshCertificateInput): Promise<string> {
  for (const p of input.principals) if (!/^[^\s,]+$/.test(p)) throw new Error(`Unsupported certificate principal ${JSON.stringify(p)}`);
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "azsim-sshcert-"));
  try {
    const file = path.join(dir, "user.pub");
    await fsp.writeFile(file, `${input.publicKeyLine}\n`, { mode: 0o600 });
    const args = [
      "-q", "-s", caKeyPath,
      "-I", input.keyId,
      "-n", input.principals.join(","),
      "-V", `${stamp(input.validFromMs)}:${stamp(input.validToMs)}`,
      "-z", BigInt(`0x${randomBytes(8).toString("hex")}`).toString(),
      "-O", "clear", "-O", "permit-pty", "-O", "permit-port-forwarding", "-O", "permit-agent-forwarding", "-O", "permit-user-rc",
      ...Object.entries(input.extensions).flatMap(([k, v]) => ["-O", `extension:${k}=${v}`]),
      file,
    ];
    await run("ssh-keygen", args);
    const line = (await fsp.readFile(path.join(dir, "user-cert.pub"), "utf8")).trim();
    const blob = line.split(/\s+/)[1];
    if (!blob) throw new Error("ssh-keygen wrote no certificate");
    return blob;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/** ssh-keygen's absolute time form. It reads it as local time, so it is formatted in local time (the child inherits TZ). */
function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}
