import { JitError } from "../errors";
import { isHostAlias } from "./hostAlias";
import { runSshTool } from "./sshTools";
import { describeUntrusted } from "./untrustedText";

/** The effective configuration ssh would use for a host: lower-case keyword → values in order. */
export type EffectiveSshConfig = ReadonlyMap<string, readonly string[]>;

export interface SshClientOptions {
  /** The ssh program (`remote.SSH.path`); default `ssh` from PATH. */
  sshPath?: string;
  /**
   * The config file Remote-SSH passes with `-F` (when `remote.SSH.configFile` is set). Without it,
   * ssh reads the user's default config and the system-wide one, as Remote-SSH does then.
   */
  configFile?: string;
}

/**
 * Asks the real ssh client what it would do for `alias` (`ssh -G`), which follows every Include,
 * Host and Match exactly as a connection would. Throws `SshConfigConflict` when ssh cannot read the
 * config (it names the file and line in its message).
 */
export async function readEffectiveSshConfig(alias: string, options: SshClientOptions = {}, signal?: AbortSignal): Promise<EffectiveSshConfig> {
  if (!isHostAlias(alias)) throw new JitError("InvalidInput", `Not an Azure JIT Connect host alias: ${describeUntrusted(alias)}.`);
  const args = [...(options.configFile ? ["-F", options.configFile] : []), "-G", alias];
  const result = await runSshTool(options.sshPath ?? "ssh", args, signal);
  if (result.code !== 0) {
    const why = result.stderr.trim().split(/\r?\n/).slice(0, 5).join(" / ");
    throw new JitError("SshConfigConflict", `ssh cannot use the SSH config${options.configFile ? ` ${options.configFile}` : ""}: ${why || `exit code ${String(result.code)}`}`);
  }
  const config = new Map<string, string[]>();
  for (const line of result.stdout.split(/\r?\n/)) {
    const space = line.indexOf(" ");
    if (space <= 0) continue;
    const key = line.slice(0, space).toLowerCase();
    const values = config.get(key) ?? [];
    values.push(line.slice(space + 1));
    config.set(key, values);
  }
  return config;
}
