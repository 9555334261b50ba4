import { removeSshHosts, writeSshHosts, type TunnelProgram } from "./hostsFile";
import type { SshHostEntry } from "./renderHostBlock";
import type { SshPaths } from "./sshPaths";
import { installIncludeBlock, removeIncludeBlock } from "./userConfigFile";

/** What an install changed, for the log and for "ask before the first edit" bookkeeping. */
export interface SshConfigInstallResult {
  hostsChanged: boolean;
  includeChanged: boolean;
}

/**
 * Writes our hosts file, then makes sure the user's config includes it. Our file goes first so the
 * Include never points at a missing file, and a refused value (an unsafe user name or path) stops
 * everything before the user's file is touched. The caller asks the user before the first edit of
 * their config (see `inspectIncludeBlock`).
 */
export async function installSshConfig(
  entries: readonly SshHostEntry[],
  paths: SshPaths,
  program: TunnelProgram,
  platform: NodeJS.Platform = process.platform,
  signal?: AbortSignal,
): Promise<SshConfigInstallResult> {
  const hostsChanged = await writeSshHosts(entries, paths, program, platform, signal);
  const includeChanged = await installIncludeBlock(paths.userConfigFile, paths.configFile, { platform }, signal);
  return { hostsChanged, includeChanged };
}

/**
 * Undoes `installSshConfig` ("remove SSH config", uninstall): the block leaves the user's config
 * (every other byte kept), then our files go. Pinned host keys stay unless `forgetHostKeys`.
 */
export async function removeSshConfig(paths: SshPaths, options: { forgetHostKeys?: boolean } = {}, signal?: AbortSignal): Promise<void> {
  await removeIncludeBlock(paths.userConfigFile, signal);
  await removeSshHosts(paths, options);
}
