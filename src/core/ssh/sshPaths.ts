import * as path from "node:path";
import { JitError } from "../errors";
import { launcherFileName } from "./proxyCommand";

/** Where our SSH files live. */
export interface SshPaths {
  /** The user's SSH config, which gets our Include block (`~/.ssh/config` or `remote.SSH.configFile`). */
  userConfigFile: string;
  /** True when `remote.SSH.configFile` named it: Remote-SSH then passes it to ssh with `-F`. */
  userConfigIsCustom: boolean;
  /** Our folder (0700), next to the user's config: `<dir of user config>/azure-jit-connect`. */
  dir: string;
  /** Our generated config with one Host block per VM. */
  configFile: string;
  /** Our known_hosts, where host keys are pinned per VM (HostKeyAlias). */
  knownHostsFile: string;
  /** The ProxyCommand launcher that sets ELECTRON_RUN_AS_NODE. */
  launcherFile: string;
  /** The KeyStore folder for private keys fetched from Key Vault. */
  keysDir: string;
}

export interface SshPathsOptions {
  /** The user's home folder (os.homedir() in production, a temporary folder in tests). */
  home: string;
  /** `remote.SSH.configFile` when set (may start with `~`); default `<home>/.ssh/config`. */
  userConfigFile?: string;
  platform?: NodeJS.Platform;
}

/** Resolves our paths; a relative custom config path is refused because ssh would read it relative to its own working folder. */
export function sshPaths(options: SshPathsOptions): SshPaths {
  const platform = options.platform ?? process.platform;
  const p = platform === "win32" ? path.win32 : path.posix;
  const custom = options.userConfigFile?.trim();
  let userConfigFile = p.join(options.home, ".ssh", "config");
  if (custom) {
    const expanded = custom === "~" || /^~[/\\]/.test(custom) ? p.join(options.home, custom.slice(1)) : custom;
    if (!p.isAbsolute(expanded)) {
      throw new JitError("InvalidSetting", `Setting remote.SSH.configFile must be an absolute path (or start with ~), not "${custom}".`);
    }
    userConfigFile = p.normalize(expanded);
  }
  const dir = p.join(p.dirname(userConfigFile), "azure-jit-connect");
  return {
    userConfigFile,
    userConfigIsCustom: Boolean(custom),
    dir,
    configFile: p.join(dir, "config"),
    knownHostsFile: p.join(dir, "known_hosts"),
    launcherFile: p.join(dir, launcherFileName(platform)),
    keysDir: p.join(dir, "keys"),
  };
}
