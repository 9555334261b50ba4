/**
 * Microsoft Entra ID login on a simulated VM (the AADSSHLoginForLinux extension).
 *
 * The real extension appends a `Match User *@*,<guid pattern>` block whose AuthorizedKeysCommand
 * (`aad_certhandler`, closed source) takes the Entra SSH CA keys from IMDS and asks
 * pas.windows.net, at every login, whether Azure RBAC grants the user
 * `Microsoft.Compute/virtualMachines/login/action` on the VM; users come from an NSS module
 * (learn.microsoft.com howto-vm-sign-in-azure-ad-linux; Azure/AgentBaker cse_config.sh quotes the
 * block). The simulated VM does the same with stock OpenSSH:
 * - `TrustedUserCAKeys` = the simulated Entra CA's public key (the certificate proves who the user is);
 * - for logins named like a UPN, `AuthorizedPrincipalsCommand` asks the simulator (`GET
 *   /_sim/vms/{vm}/entra-login` on the control origin, through curl as `nobody`), which prints the
 *   certificate principal only if RBAC allows the login *now* (so a PIM activation that lapsed refuses
 *   new logins; open sessions stay, as on a real VM);
 * - the UPN accounts are real OS accounts (sshd only logs in real accounts), created once by the
 *   simulator as root with the lower-cased UPN as name, no password (locked for password login,
 *   `*` so that `UsePAM no` does not treat them as locked), shell /bin/sh, home `/`; each VM gives
 *   each of them its own `$HOME` under the VM folder (`entra-home/<upn>`).
 * Not root: the accounts cannot be created, so Entra login is unavailable and says why.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

/** curl runs the login check: an absolute, root-owned path, as sshd requires for the command. */
export const CURL_PATH = "/usr/bin/curl";

export type EntraAccountsResult = { ok: true } | { unavailable: string };

/** A UPN that can also be an OS account name and an sshd_config token: lower-case, no quoting needed. */
export function isUsableLoginName(name: string): boolean {
  return /^[a-z0-9_][a-z0-9._-]*@[a-z0-9][a-z0-9.-]*$/.test(name) && name.length <= 64;
}

const created = new Map<string, Promise<void>>();

/** Creates (once per process) the OS accounts for these lower-cased UPNs. */
export async function ensureEntraAccounts(loginNames: string[]): Promise<EntraAccountsResult> {
  if (process.platform !== "linux") return { unavailable: "Entra ID login is simulated on Linux only (it needs real OS accounts)." };
  if (process.getuid?.() !== 0) {
    return { unavailable: "Entra ID login needs the simulator to run as root: sshd logs in only real OS accounts, and the simulator must create one per Entra user." };
  }
  if (!existsSync(CURL_PATH)) return { unavailable: `Entra ID login needs ${CURL_PATH} (the VM's login check asks the simulator over HTTP).` };
  try {
    await Promise.all(loginNames.map((name) => {
      let p = created.get(name);
      if (!p) created.set(name, (p = createAccount(name)));
      return p;
    }));
    return { ok: true };
  } catch (e) {
    return { unavailable: `Could not create the Entra ID login accounts: ${e instanceof Error ? e.message : String(e)}` };
  }
}

async function createAccount(name: string): Promise<void> {
  if (!isUsableLoginName(name)) throw new Error(`${JSON.stringify(name)} cannot be an OS account name`);
  try {
    await run("id", ["-u", name]);
  } catch {
    try {
      await run("useradd", ["-M", "-N", "-d", "/", "-s", "/bin/sh", "-c", "Azure simulator Entra ID user", name]);
    } catch (e) {
      // Exit status 9: another simulator created it meanwhile.
      if ((e as { code?: unknown }).code !== 9) throw e;
    }
  }
  await run("usermod", ["-p", "*", name]);
}

export interface EntraSshdInput {
  /** File holding the CA public key line. */
  caKeyFile: string;
  /** The URL the login check asks; the simulator's control origin, path of this VM. */
  checkUrl: string;
  /** Lower-cased UPN → that user's $HOME on this VM. */
  homes: Map<string, string>;
  /** The VM's own session variables, repeated per user (a Match block's SetEnv replaces the global one). */
  sessionEnv: string[];
}

/** The sshd_config lines: the CA globally, then per Entra user a Match block (must come last). */
export function entraSshdLines(input: EntraSshdInput, quote: (v: string) => string): string[] {
  const lines = [`TrustedUserCAKeys ${quote(input.caKeyFile)}`];
  for (const [user, home] of input.homes) {
    if (!isUsableLoginName(user)) throw new Error(`Unsupported Entra login name ${JSON.stringify(user)}`);
    lines.push(
      `Match User ${user}`,
      // Only a certificate of the Entra CA, never a key file, for these accounts.
      "  AuthorizedKeysFile none",
      // sshd splits the command into arguments first and expands %u/%i inside each one.
      `  AuthorizedPrincipalsCommand ${CURL_PATH} -sS -f --max-time 10 -G --data-urlencode user=%u --data-urlencode keyId=%i ${input.checkUrl}`,
      "  AuthorizedPrincipalsCommandUser nobody",
      `  SetEnv ${[...input.sessionEnv, `HOME=${home}`].map(quote).join(" ")}`,
    );
  }
  return lines;
}
