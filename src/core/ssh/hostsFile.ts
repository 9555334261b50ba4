import { promises as fsp } from "node:fs";
import { throwIfAborted } from "../cancellation";
import { ensurePrivateDir, readFileIfExists, removeStaleTempFiles, writeFileAtomic } from "../fs/privateFiles";
import { renderConfigFile, type HostBlockOptions, type SshHostEntry } from "./renderHostBlock";
import { renderLauncher } from "./proxyCommand";
import type { SshPaths } from "./sshPaths";

/** How the ProxyCommand starts the tunnel on this machine. */
export interface TunnelProgram {
  /** The runtime: `process.execPath` of the extension host. */
  nodePath: string;
  /** `tunnel.js` at its stable location. */
  tunnelScript: string;
  /** True when `nodePath` is VS Code's Electron binary: the ProxyCommand then goes through our launcher. */
  viaLauncher: boolean;
  /** Extra plain-word arguments after the alias. */
  args?: readonly string[];
}

/** The options every host block of our file shares, from our paths and the tunnel program. */
export function hostBlockOptionsFor(paths: SshPaths, program: TunnelProgram, platform: NodeJS.Platform = process.platform): HostBlockOptions {
  return {
    proxy: {
      ...(program.viaLauncher ? { launcher: paths.launcherFile } : {}),
      nodePath: program.nodePath,
      tunnelScript: program.tunnelScript,
      ...(program.args ? { args: program.args } : {}),
    },
    knownHostsFile: paths.knownHostsFile,
    platform,
  };
}

/** Writes `content` atomically unless the file already holds exactly it; returns true when written. */
async function writeIfChanged(file: string, content: string, mode: number): Promise<boolean> {
  if ((await readFileIfExists(file)) === content) {
    // Same bytes, but make sure the mode is right (someone may have loosened it).
    if (process.platform !== "win32" && ((await fsp.stat(file)).mode & 0o777) !== mode) await fsp.chmod(file, mode);
    return false;
  }
  await writeFileAtomic(file, content, { mode });
  return true;
}

/**
 * Writes our folder (0700): the config with one Host block per VM (0600) and the launcher (0700).
 * Rendering happens first, so a refused value leaves the files as they were. Returns true when
 * the config's content changed.
 */
export async function writeSshHosts(
  entries: readonly SshHostEntry[],
  paths: SshPaths,
  program: TunnelProgram,
  platform: NodeJS.Platform = process.platform,
  signal?: AbortSignal,
): Promise<boolean> {
  const text = renderConfigFile(entries, hostBlockOptionsFor(paths, program, platform));
  throwIfAborted(signal);
  await ensurePrivateDir(paths.dir);
  await removeStaleTempFiles(paths.dir);
  if (program.viaLauncher) await writeIfChanged(paths.launcherFile, renderLauncher(platform), 0o700);
  return writeIfChanged(paths.configFile, text, 0o600);
}

/**
 * Removes our config and launcher ("remove SSH config", uninstall). The pinned host keys are kept
 * unless asked, so that reinstalling does not silently re-trust a VM whose key has changed.
 */
export async function removeSshHosts(paths: SshPaths, options: { forgetHostKeys?: boolean } = {}): Promise<void> {
  await fsp.rm(paths.configFile, { force: true });
  await fsp.rm(paths.launcherFile, { force: true });
  if (options.forgetHostKeys) await fsp.rm(paths.knownHostsFile, { force: true });
  await removeStaleTempFiles(paths.dir);
  // The folder goes only when empty: the KeyStore or the user may keep files there.
  await fsp.rmdir(paths.dir).catch(() => undefined);
}
