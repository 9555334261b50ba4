import * as fs from "node:fs";
import * as path from "node:path";
import { buildAndPackageExtension, ensureCodeServer } from "../../test/e2e/harness/build";
import { runChecked } from "../../test/e2e/harness/processes";
import { chromiumPath, codeServerDir, installScript, repoRoot } from "../../test/e2e/harness/paths";

/** The version test/e2e/install-code-server.sh installs (its stamp file is named after it). */
const CODE_SERVER_VERSION = "4.100.3";

/** A failure the user can act on: the message says what to do. */
export class DemoSetupError extends Error {}

/** Programs the simulator runs (real sshd per VM, ssh-keygen for keys, openssl for its CA, pgrep in the sshd guardian). */
const SIMULATOR_PROGRAMS: readonly { program: string; debianPackage: string }[] = [
  { program: "sshd", debianPackage: "openssh-server" },
  { program: "ssh", debianPackage: "openssh-client" },
  { program: "ssh-keygen", debianPackage: "openssh-client" },
  { program: "openssl", debianPackage: "openssl" },
  { program: "pgrep", debianPackage: "procps" },
];

function onPath(program: string): boolean {
  // sshd lives in /usr/sbin, which a non-root PATH often lacks.
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/sbin"];
  return dirs.some((dir) => dir !== "" && isExecutable(path.join(dir, program)));
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

const isRoot = (): boolean => typeof process.getuid === "function" && process.getuid() === 0;
const hasApt = (): boolean => onPath("apt-get");

/** code-server 4.100.3 (the newest with a Node 20 engine) runs on the Node that runs this script. */
export function checkPlatform(): void {
  if (process.platform !== "linux") throw new DemoSetupError(`The demo runs on Linux (code-server, real sshd per VM, /proc); this is ${process.platform}. Use a Linux VM, WSL 2 or a dev container.`);
  const major = Number(process.versions.node.split(".")[0]);
  if (major !== 20) throw new DemoSetupError(`The demo needs Node 20 (code-server 4.100.3 declares engines.node 20); this is Node ${process.versions.node}. With nvm: \`nvm install 20 && nvm use 20\`.`);
}

/**
 * The simulator's programs. As root with apt, installs what is missing (as test/e2e/install-code-server.sh
 * does for its packages); otherwise says which command to run.
 */
export async function ensureSimulatorPrograms(runInstall: (command: string, args: string[]) => Promise<void>): Promise<void> {
  const missing = SIMULATOR_PROGRAMS.filter((p) => !onPath(p.program));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((p) => p.debianPackage))];
  const what = `${missing.map((p) => p.program).join(", ")} (Debian/Ubuntu: ${packages.join(" ")})`;
  if (!isRoot() || !hasApt()) {
    throw new DemoSetupError(`The simulator needs ${what}. Install them, e.g. \`sudo apt-get install -y ${packages.join(" ")}\`, then run the demo again.`);
  }
  process.stdout.write(`Installing ${packages.join(" ")} for the simulator...\n`);
  try {
    await runInstall("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...packages]);
  } catch (error) {
    throw new DemoSetupError(`Could not install ${packages.join(" ")}: ${firstLine(error)}. Run \`apt-get update && apt-get install -y ${packages.join(" ")}\` yourself, then run the demo again.`);
  }
}

/** code-server and Chromium through the harness's installer (idempotent: instant once installed). */
export async function ensureCodeServerAndChromium(): Promise<void> {
  if (!isRoot() && (!isExecutable(chromiumPath) || !onPath("rg"))) {
    // The installer would call apt-get and fail with a permission error: say what to run instead.
    throw new DemoSetupError(`The demo needs Chromium and ripgrep: \`sudo apt-get install -y chromium fonts-liberation libkrb5-dev ripgrep\` (or set AZURE_JIT_E2E_CHROMIUM to another Chromium), then run it again.`);
  }
  const firstTime = !fs.existsSync(path.join(codeServerDir, `.installed-${CODE_SERVER_VERSION}`));
  if (firstTime) process.stdout.write(`\n  first run: installing code-server ${CODE_SERVER_VERSION} into .cache/code-server/ (about a minute, ~300 MB)\n`);
  try {
    // Quiet when there is nothing to do; the first install shows its progress.
    if (firstTime) await ensureCodeServer();
    else await runChecked("bash", [installScript], { cwd: repoRoot });
  } catch (error) {
    throw new DemoSetupError(
      [
        `Installing code-server ${CODE_SERVER_VERSION} failed:`,
        lastLines(error, 12),
        "It needs the npm registry and Debian's chromium, fonts-liberation, libkrb5-dev and ripgrep packages.",
        "Run `bash test/e2e/install-code-server.sh` to see the whole output; fix what it reports, then run the demo again.",
      ].join("\n"),
    );
  }
}

/** The project's build and `vsce package`, as the e2e runner does, into the demo's own .vsix. */
export async function buildExtension(out: string): Promise<string> {
  if (!["vsce", "esbuild"].every((bin) => fs.existsSync(path.join(repoRoot, "node_modules/.bin", bin)))) {
    throw new DemoSetupError("node_modules is missing or incomplete: run `npm ci` in the repository first.");
  }
  try {
    try {
      return await buildAndPackageExtension(out);
    } catch {
      // esbuild.mjs empties dist/ first: a build running at the same moment (a test run) can pull
      // files from under vsce. One more try; a real build error fails again, and is reported.
      return await buildAndPackageExtension(out);
    }
  } catch (error) {
    throw new DemoSetupError(`Building and packaging the extension failed:\n${error instanceof Error ? error.message : String(error)}\nFix the build (\`npm run build\`, \`npm run package\`), then run the demo again.`);
  }
}

function lastLines(error: unknown, count: number): string {
  const lines = (error instanceof Error ? error.message : String(error)).split("\n").filter((l) => l.trim() !== "");
  return lines.slice(-count).map((l) => `  | ${l}`).join("\n");
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n").find((line) => line.trim() !== "")?.trim() ?? message;
}
