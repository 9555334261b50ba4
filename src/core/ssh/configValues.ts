import { JitError } from "../errors";
import { describeUntrusted } from "./untrustedText";

/**
 * Values that go into an ssh_config file. Each one is either refused or rendered so that ssh reads
 * it back as exactly one argument with exactly the intended meaning: nothing we write may end a
 * line, open or close a quote, expand a `%` token or a `${VAR}`, or reach the shell as syntax.
 */

/** Where an untrusted value came from, for the error that refuses it. */
export interface ValueOrigin {
  /** The VM's name (untrusted; shown escaped). */
  vmName: string;
  /** The field or tag, e.g. `tag "azure-jit-connect.username"` or `osProfile.adminUsername`. */
  field: string;
}

/**
 * POSIX-portable user names (useradd's rules, plus the upper case Azure accepts). Anything else is
 * refused rather than "fixed": changing a user name silently would log in as someone else.
 */
const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;

/** Returns `userName` when it is safe as an ssh `User`; throws `SshConfigUnsafeValue` otherwise. */
export function validateUserName(userName: string, origin: ValueOrigin): string {
  if (USER_NAME.test(userName)) return userName;
  throw new JitError(
    "SshConfigUnsafeValue",
    `Refusing the SSH user name ${describeUntrusted(userName)} of VM ${describeUntrusted(origin.vmName)}, taken from ${origin.field}: ` +
      `a user name must start with a letter or "_" and hold only letters, digits, "_", "." or "-" (32 characters at most). Correct ${origin.field} in Azure.`,
    { details: { field: origin.field } },
  );
}

/** Directives we write paths into; all but `Include` expand `%` tokens (ssh_config(5), TOKENS). */
export type PathDirective = "IdentityFile" | "CertificateFile" | "UserKnownHostsFile" | "ProxyCommand" | "Include";

/**
 * Characters refused in any path we write:
 * - control characters (a newline or `\r` would end the directive; NUL truncates it);
 * - `"`: would close the quoting;
 * - `\`: ssh_config unescapes `\\` and `\"` inside arguments, and sh does inside double quotes;
 * - `$` and `` ` ``: IdentityFile and UserKnownHostsFile expand `${VAR}`, and ProxyCommand runs in
 *   the user's shell, which expands both inside double quotes.
 */
const UNSAFE_IN_PATH: readonly [RegExp, string][] = [
  [/[\u0000-\u001f\u007f]/, "a control character (such as a line break)"],
  [/"/, 'a double quote (")'],
  [/\\/, "a backslash (\\)"],
  [/\$/, 'a dollar sign ("$")'],
  [/`/, "a backquote (`)"],
];
/** `Include` expands glob(7) patterns, so these would include other files. */
const GLOB_IN_PATH: readonly [RegExp, string][] = [[/[*?[\]]/, 'a glob character ("*", "?", "[" or "]")']];

/**
 * Renders an absolute path as one double-quoted ssh_config argument. On Windows, backslashes become
 * forward slashes (Win32-OpenSSH accepts both, and a backslash is an escape character in
 * ssh_config). `%` is written `%%` where ssh expands tokens.
 */
export function quoteConfigPath(filePath: string, directive: PathDirective, platform: NodeJS.Platform = process.platform): string {
  const p = platform === "win32" ? filePath.replace(/\\/g, "/") : filePath;
  const absolute = platform === "win32" ? /^[A-Za-z]:\//.test(p) : p.startsWith("/");
  if (!absolute) {
    throw new JitError("SshConfigUnsafeValue", `The path ${describeUntrusted(filePath)} for ${directive} in the SSH config must be absolute.`);
  }
  const rules = directive === "Include" ? [...UNSAFE_IN_PATH, ...GLOB_IN_PATH] : UNSAFE_IN_PATH;
  for (const [pattern, what] of rules) {
    if (pattern.test(p)) {
      throw new JitError(
        "SshConfigUnsafeValue",
        `Cannot write the path ${describeUntrusted(filePath)} into the SSH config (${directive}): it contains ${what}, which ssh or the shell would interpret. ` +
          `Use a folder whose path has no such character (check the home folder and the remote.SSH.configFile setting).`,
        { details: { directive } },
      );
    }
  }
  return `"${directive === "Include" ? p : escapeTokens(p)}"`;
}

/** Escapes `%` for directives that expand ssh tokens such as `%h` (ssh_config(5), TOKENS). */
export function escapeTokens(value: string): string {
  return value.replace(/%/g, "%%");
}

/** Extra ProxyCommand arguments: plain words only, so they need no quoting in any shell. */
const PLAIN_ARGUMENT = /^[A-Za-z0-9._:=/@+,-]+$/;

/** Returns `arg` when it is a plain word; throws `SshConfigUnsafeValue` otherwise. */
export function validatePlainArgument(arg: string): string {
  if (PLAIN_ARGUMENT.test(arg)) return arg;
  throw new JitError("SshConfigUnsafeValue", `Refusing the ProxyCommand argument ${describeUntrusted(arg)}: only letters, digits and ._:=/@+,- are allowed.`);
}
