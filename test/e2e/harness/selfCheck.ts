import * as fs from "node:fs";
import * as path from "node:path";
import { runExtensionHostTests } from "./extensionHostTests";
import { cacheDir, fileSafe, logsDir, repoRoot, screenshotsDir } from "./paths";
import { runSpecs } from "./specRunner";

/**
 * Proves that the harness reports failures: tests that cannot fail prove nothing. Runs the
 * extension-host tests against a copy of the extension whose manifest is wrong both ways, and an
 * e2e spec that fails, and checks the outcome, the screenshot and the logs. Returns the problems.
 */
export async function selfCheck(): Promise<string[]> {
  const problems: string[] = [];

  // 1. Contribute a command nobody registers, and drop a registered one from the manifest.
  const broken = path.join(cacheDir, "self-check", "broken-manifest");
  fs.rmSync(broken, { recursive: true, force: true });
  fs.mkdirSync(broken, { recursive: true });
  fs.cpSync(path.join(repoRoot, "dist"), path.join(broken, "dist"), { recursive: true });
  for (const file of ["package.nls.json"]) fs.copyFileSync(path.join(repoRoot, file), path.join(broken, file));
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { contributes: { commands: { command: string; title: string }[] } };
  const dropped = manifest.contributes.commands.shift();
  manifest.contributes.commands.push({ command: "azureJit.selfCheckGhost", title: "Ghost" });
  fs.writeFileSync(path.join(broken, "package.json"), JSON.stringify(manifest, null, 2));

  // Only the manifest checks: other suites (the simulator-backed ones) have nothing to prove here
  // and may fail for reasons of their own in this broken copy, which would blur the expectation.
  const run = await runExtensionHostTests({ name: "self-check-broken-manifest", developmentPath: broken, grep: "command contributions" });
  const failed = run.results?.tests.filter((t) => t.state === "failed").map((t) => t.title) ?? [];
  const expected = ["command contributions every contributed command is registered", ...(dropped ? ["command contributions every registered azureJit.* command is contributed"] : [])];
  if (run.exitCode !== 1) problems.push(`broken manifest: expected exit code 1, got ${run.exitCode}`);
  if (JSON.stringify(failed.sort()) !== JSON.stringify(expected.sort())) problems.push(`broken manifest: expected failures ${JSON.stringify(expected)}, got ${JSON.stringify(failed)}`);
  if (!run.logsDir || !fs.existsSync(path.join(run.logsDir, "code-server.log"))) problems.push("broken manifest: no logs collected");

  // 2. An e2e spec that fails must leave a failure screenshot and the session logs.
  const screenshot = path.join(screenshotsDir, `${fileSafe("self-check-failing--fails on a command that does not exist--failure")}.png`);
  const sessionLogs = path.join(logsDir, "self-check-failing");
  for (const stale of [screenshot, sessionLogs]) fs.rmSync(stale, { recursive: true, force: true });
  const specs = await runSpecs([path.join(repoRoot, "test/e2e/selfcheck/failing.e2e.ts")]);
  if (specs.failures !== 1) problems.push(`failing spec: expected 1 failure, got ${specs.failures}`);
  if (!fs.existsSync(screenshot)) problems.push(`failing spec: no screenshot at ${screenshot}`);
  if (!fs.existsSync(path.join(sessionLogs, "browser-console.log"))) problems.push(`failing spec: no logs in ${sessionLogs}`);
  return problems;
}
