import { entraSshdLines, type EntraSshdInput } from "./entraLogin";

/** Everything that goes into one VM's sshd_config. */
export interface SshdConfigInput {
  vmName: string;
  port: number;
  hostKeyFile: string;
  authorizedKeysFile: string;
  homeDir: string;
  loginUser: string;
  passwordAuthentication: boolean;
  /** OpenSSH >= 9.8 penalises sources with many failed logins; benchmarks and tests do exactly that from 127.0.0.1. */
  disablePerSourcePenalties: boolean;
  /** Entra ID login (AADSSHLoginForLinux): the CA, the login check and the Entra users' homes. */
  entra?: Omit<EntraSshdInput, "sessionEnv">;
}

/**
 * Renders a complete sshd_config (sshd runs with `-f`, so nothing from /etc/ssh applies). Values
 * are quoted for sshd's argv_split; a path with a double quote or a backslash is refused instead of
 * escaped, because those never occur in the simulator's own folders.
 */
export function renderSshdConfig(input: SshdConfigInput): string {
  if (!/^[A-Za-z0-9._-]+$/.test(input.vmName)) throw new Error(`Unsupported VM name for sshd: ${JSON.stringify(input.vmName)}`);
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/.test(input.loginUser)) throw new Error(`Unsupported login user: ${JSON.stringify(input.loginUser)}`);
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) throw new Error(`Invalid sshd port ${input.port}`);
  const sessionEnv = [`AZSIM_VM=${input.vmName}`, `AZSIM_VM_HOME=${input.homeDir}`];
  // AllowUsers reads USER@HOST at the first "@": a UPN's "@" is matched with "?" instead.
  const entraUsers = [...(input.entra?.homes.keys() ?? [])].map((u) => u.replace("@", "?"));
  const lines = [
    `# Written by the Azure JIT Connect simulator for VM ${input.vmName}. Regenerated at every start.`,
    "ListenAddress 127.0.0.1",
    `Port ${input.port}`,
    `HostKey ${quote(input.hostKeyFile)}`,
    // AuthorizedKeysFile expands %-tokens, so a literal % in the path must be doubled.
    `AuthorizedKeysFile ${quote(input.authorizedKeysFile.replaceAll("%", "%%"))}`,
    "PidFile none",
    // The simulator's folders belong to whoever runs it; sshd's ownership checks are for real homes.
    "StrictModes no",
    "UsePAM no",
    "PubkeyAuthentication yes",
    `PasswordAuthentication ${input.passwordAuthentication ? "yes" : "no"}`,
    "PermitEmptyPasswords no",
    "KbdInteractiveAuthentication no",
    `PermitRootLogin ${input.passwordAuthentication ? "yes" : "prohibit-password"}`,
    // A real VM has one admin account; other local accounts of the machine running the simulator are not part of the VM.
    `AllowUsers ${[input.loginUser, ...entraUsers].join(" ")}`,
    // HOME too: a real VM has its own home, so ~ (VS Code Server's ~/.vscode-server, dotfiles) is
    // per VM, and the simulator account's own rc files (pyenv, conda...) do not run at every login.
    // sshd still chdirs to the account's passwd home; SetEnv overrides the environment only.
    `SetEnv ${[...sessionEnv, `HOME=${input.homeDir}`].map(quote).join(" ")}`,
    "LogLevel VERBOSE",
    // Port forwarding to the VM is a product feature (Jupyter on the GPU VM).
    "AllowTcpForwarding yes",
    "X11Forwarding no",
    "PermitTunnel no",
    // Benchmarks open 50 concurrent connections; defaults (10 sessions, 10:30:100 startups) would drop some.
    "MaxSessions 100",
    "MaxStartups 200:30:400",
    "MaxAuthTries 10",
    "LoginGraceTime 60",
    "UseDNS no",
    "PrintMotd no",
    "PrintLastLog no",
    "Subsystem sftp internal-sftp",
  ];
  if (input.disablePerSourcePenalties) lines.push("PerSourcePenalties no");
  if (input.entra) lines.push(...entraSshdLines({ ...input.entra, sessionEnv }, quote));
  return `${lines.join("\n")}\n`;
}

function quote(value: string): string {
  if (/["\\\n\r]/.test(value)) throw new Error(`Unsupported character in sshd_config value: ${JSON.stringify(value)}`);
  return /[\s#']/.test(value) ? `"${value}"` : value;
}

/** Parses "OpenSSH_9.2p1 ..." (from `sshd -V` / `ssh -V`) into [major, minor]. */
export function parseOpenSshVersion(text: string): [number, number] | undefined {
  const m = /OpenSSH_(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** PerSourcePenalties exists from OpenSSH 9.8 on; older sshd refuses the keyword. */
export function hasPerSourcePenalties(version: [number, number] | undefined): boolean {
  if (!version) return false;
  const [major, minor] = version;
  return major > 9 || (major === 9 && minor >= 8);
}
