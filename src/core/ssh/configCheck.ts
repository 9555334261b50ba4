import * as path from "node:path";
import { promises as fsp } from "node:fs";
import { readEffectiveSshConfig, type EffectiveSshConfig, type SshClientOptions } from "./effectiveConfig";
import { deriveHostAlias } from "./hostAlias";
import { findManagedBlock } from "./managedBlock";
import { hostDirectives, type HostBlockOptions, type SshHostEntry } from "./renderHostBlock";
import { describeUntrusted } from "./untrustedText";

/**
 * Checks that the user's SSH setup lets our host block take effect, and reports (never changes)
 * what defeats it: ssh keeps the first value it reads for each setting, so a `Host *` (or a
 * matching `Host`/`Match`) read before our Include wins over us. The verdict comes from the real
 * client (`ssh -G`); a scan of the user's file points at the lines that are probably responsible.
 */

/** A place in the user's config that may set a directive before ours. */
export interface ConfigLocation {
  file: string;
  line: number;
}

export interface SshConfigFinding {
  /** `error`: connecting will fail or bypass our tunnel or host key pinning. `warning`: works, but not as intended. */
  severity: "error" | "warning";
  /** Lower-case ssh keyword, or `include` for our block itself. */
  directive: string;
  expected: string | undefined;
  actual: string | undefined;
  /** Lines before our Include, in sections that can apply to our host, that set this directive. */
  candidates: ConfigLocation[];
  message: string;
}

/** Directives whose loss breaks the connection or its security; the others only degrade it. */
const CRITICAL = new Set([
  "hostname",
  "user",
  "port",
  "proxycommand",
  "hostkeyalias",
  "userknownhostsfile",
  "stricthostkeychecking",
  "identityfile",
  "identitiesonly",
  "pubkeyauthentication",
]);
/** ssh -G prints some yes/no options as true/false. */
const TRUE = new Set(["yes", "true"]);
const FALSE = new Set(["no", "false"]);

function unquote(argument: string): string {
  return argument.length >= 2 && argument.startsWith('"') && argument.endsWith('"') ? argument.slice(1, -1) : argument;
}

/** Whether ssh -G's value is the one we wrote (ssh prints some paths with `%%` expanded, some not). */
function sameValue(keyword: string, written: string, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  const raw = keyword === "proxycommand" ? written : unquote(written);
  const candidates = [raw, raw.replace(/%%/g, "%")];
  if (keyword === "userknownhostsfile") return candidates.some((c) => actual === c || actual.startsWith(`${c} `));
  if (candidates.includes(actual)) return true;
  const a = actual.toLowerCase();
  const w = raw.toLowerCase();
  return (TRUE.has(a) && TRUE.has(w)) || (FALSE.has(a) && FALSE.has(w));
}

/** ssh_config pattern matching (`*`, `?`, `!negation`), as `Host` lines use it. */
function hostPatternsMatch(patterns: readonly string[], host: string): boolean {
  let matched = false;
  for (const raw of patterns) {
    const negated = raw.startsWith("!");
    const pattern = negated ? raw.slice(1) : raw;
    const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
    if (re.test(host)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Lines (before our block) that set each keyword in a section that may apply to `alias`. */
function scanCandidates(content: string, file: string, alias: string, stopAtLine: number | undefined): Map<string, ConfigLocation[]> {
  const found = new Map<string, ConfigLocation[]>();
  let applies = true; // directives before the first Host/Match apply to every host
  const lines = content.replace(/^\uFEFF/, "").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const number = i + 1;
    if (stopAtLine !== undefined && number >= stopAtLine) break;
    const m = /^\s*([A-Za-z]+)(?:\s*=\s*|\s+)(.*?)\s*$/.exec(lines[i] ?? "");
    if (!m?.[1]) continue;
    const keyword = m[1].toLowerCase();
    const args = (m[2] ?? "").split(/[\s,]+/).filter((s) => s.length > 0);
    if (keyword === "host") applies = hostPatternsMatch(args, alias);
    // A Match block may apply (its criteria are evaluated at connect time); ssh -G is the judge.
    else if (keyword === "match") applies = true;
    else if (applies) found.set(keyword, [...(found.get(keyword) ?? []), { file, line: number }]);
  }
  return found;
}

function finding(
  directive: string,
  expected: string | undefined,
  actual: string | undefined,
  candidates: ConfigLocation[],
  message: string,
  severity: SshConfigFinding["severity"] = CRITICAL.has(directive) ? "error" : "warning",
): SshConfigFinding {
  return { severity, directive, expected, actual, candidates, message };
}

function where(candidates: readonly ConfigLocation[]): string {
  if (candidates.length === 0) return "";
  return ` It is probably set at ${candidates.map((c) => `${c.file} line ${c.line}`).join(", ")}.`;
}

export interface CheckSshConfigInput {
  entry: SshHostEntry;
  options: HostBlockOptions;
  /** The user's SSH config, where our Include block should be. */
  userConfigFile: string;
  /** How to run ssh; pass `configFile` when Remote-SSH uses `-F`. */
  client?: SshClientOptions;
  /**
   * The config ssh reads without `-F`: `.ssh/config` under the account's home in the system's user
   * database, which OpenSSH uses instead of $HOME. When it is not `userConfigFile`, ssh never sees
   * our Include, whatever the file says.
   */
  sshDefaultConfigFile?: string;
}

/** Checks one VM's host against what ssh would really use; an empty list means all is well. */
export async function checkSshConfig(input: CheckSshConfigInput, signal?: AbortSignal): Promise<SshConfigFinding[]> {
  const alias = deriveHostAlias(input.entry.vm);
  const file = input.userConfigFile;
  const content = await fsp.readFile(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined;
    throw e;
  });
  const findings: SshConfigFinding[] = [];
  const block = content ? findManagedBlock(content, file) : undefined;
  if (!block) {
    findings.push(finding("include", undefined, undefined, [], `${file} has no AZURE JIT CONNECT block, so ssh does not read our hosts. Let Azure JIT Connect add it.`, "error"));
  } else if (!block.beforeAnySection) {
    findings.push(
      finding("include", undefined, undefined, [{ file, line: block.startLine }], `The AZURE JIT CONNECT block in ${file} (line ${block.startLine}) is below a Host or Match line, so it only applies when that section matches. Move it to the top of the file.`, "error"),
    );
  }
  const sshReads = input.client?.configFile ?? input.sshDefaultConfigFile;
  if (block && sshReads !== undefined && path.resolve(sshReads) !== path.resolve(file)) {
    // One cause, said once: every directive would otherwise be reported as overridden.
    findings.push(
      finding(
        "include",
        undefined,
        undefined,
        [],
        `ssh reads ${describeUntrusted(sshReads)} (from your account's home folder, which OpenSSH takes from the system, not from $HOME), not ${describeUntrusted(file)} where the Include is. Set remote.SSH.configFile to ${describeUntrusted(file)} (Remote-SSH then passes it to ssh), or run VS Code with HOME set to your account's home folder.`,
        "error",
      ),
    );
    return findings;
  }
  const candidates = scanCandidates(content?.toString("utf8") ?? "", file, alias, block?.startLine);
  const effective: EffectiveSshConfig = await readEffectiveSshConfig(alias, input.client, signal);
  for (const [keyword, written] of hostDirectives(input.entry, input.options)) {
    const key = keyword.toLowerCase();
    const actual = effective.get(key)?.[0];
    if (sameValue(key, written, actual)) continue;
    const shown = actual === undefined ? "nothing" : describeUntrusted(actual);
    findings.push(
      finding(
        key,
        written,
        actual,
        candidates.get(key) ?? [],
        `For ${alias}, ssh uses ${keyword} ${shown} instead of ${describeUntrusted(unquote(written))}: a value read before our Include wins (ssh keeps the first value it reads).${where(candidates.get(key) ?? [])}`,
      ),
    );
  }
  if (effective.has("proxyjump")) {
    const c = candidates.get("proxyjump") ?? [];
    findings.push(finding("proxyjump", undefined, effective.get("proxyjump")?.[0], c, `For ${alias}, a ProxyJump read before our Include replaces our tunnel.${where(c)}`, "error"));
  }
  // ForwardAgent takes yes, no, a socket path or an environment variable: anything but "no" forwards.
  const forwardAgent = effective.get("forwardagent")?.[0] ?? "no";
  if (!FALSE.has(forwardAgent.toLowerCase())) {
    const c = candidates.get("forwardagent") ?? [];
    findings.push(finding("forwardagent", "no", forwardAgent, c, `For ${alias}, ssh forwards your SSH agent to the VM, where anyone with root on it can use your keys while you are connected.${where(c)}`, "warning"));
  }
  if (effective.has("remotecommand")) {
    const c = candidates.get("remotecommand") ?? [];
    findings.push(finding("remotecommand", undefined, effective.get("remotecommand")?.[0], c, `For ${alias}, a RemoteCommand applies, which stops Remote-SSH from starting its server.${where(c)}`, "warning"));
  }
  return findings;
}
