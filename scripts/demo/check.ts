import * as fs from "node:fs";
import * as path from "node:path";
import { launchBrowser, type BrowserSession } from "../../test/e2e/harness/browser";
import { type CodeServer } from "../../test/e2e/harness/codeServer";
import { Workbench } from "../../test/e2e/harness/pageObjects/workbench";
import { logsDir, repoRoot } from "../../test/e2e/harness/paths";
import { type SessionDirs } from "../../test/e2e/harness/sessionDirs";
import { waitForActivation } from "../../test/e2e/support/activation";
import { AzureJitView, type SimulatorEndpoints } from "../../test/e2e/support/azureJitView";
import { type Lifetime } from "./lifetime";

export interface CheckInput {
  codeServer: CodeServer;
  dirs: SessionDirs;
  env: NodeJS.ProcessEnv;
  lifetime: Lifetime;
  sim: SimulatorEndpoints;
  extensionId: string;
  upn: string;
  vmNames: readonly string[];
}

export interface CheckTimings {
  healthMs: number;
  workbenchMs: number;
  activationMs: number;
  signInMs: number;
  vmsMs: number;
}

const SCREENSHOT = "demo-check";

/**
 * `--check`: what a first-time user does, verified. code-server answers /healthz, the workbench
 * loads in headless Chromium, the extension activates, sign-in through the device-login page works
 * and the view lists every demo VM. Leaves test-results/screenshots/demo-check.png; on failure a
 * "-failure" screenshot and the logs in test-results/logs/demo-check/.
 */
export async function runCheck(input: CheckInput, say: (line: string) => void): Promise<CheckTimings> {
  const timings: CheckTimings = { healthMs: 0, workbenchMs: 0, activationMs: 0, signInMs: 0, vmsMs: 0 };
  let mark = performance.now();
  const lap = (): number => {
    const now = performance.now();
    const ms = Math.round(now - mark);
    mark = now;
    return ms;
  };

  const health = await fetch(`${input.codeServer.origin}/healthz`, { signal: AbortSignal.timeout(5000) });
  if (!health.ok) throw new Error(`code-server's /healthz answered ${health.status}`);
  timings.healthMs = lap();
  say(`  /healthz ok`);

  input.lifetime.throwIfStopping();
  // No certificate exception: the workbench and the sign-in link are plain HTTP on loopback.
  const browser: BrowserSession = await launchBrowser({ profileDir: input.dirs.browserProfile, env: input.env, headless: true, ignoreHttpsErrors: false });
  input.lifetime.add("Chromium", () => browser.close());
  const workbench = new Workbench(browser.page);
  try {
    await browser.page.goto(input.codeServer.workbenchUrl());
    await workbench.waitForReady();
    timings.workbenchMs = lap();
    say(`  workbench loaded (${(timings.workbenchMs / 1000).toFixed(1)} s)`);

    const view = new AzureJitView(workbench, browser.context);
    await view.open();
    await waitForActivation(input.dirs.userData, input.extensionId);
    timings.activationMs = lap();
    say(`  ${input.extensionId} activated`);

    const codes = await view.signIn(input.sim, { upn: input.upn });
    timings.signInMs = lap();
    say(`  signed in as ${input.upn} through the notification's link ${input.sim.deviceLoginUrl} (codes: ${codes.join(", ")})`);

    await view.waitForVms(input.vmNames);
    timings.vmsMs = lap();
    say(`  the VM view lists all ${input.vmNames.length} demo VMs`);

    const shot = await workbench.screenshot(SCREENSHOT);
    say(`  screenshot: ${path.relative(repoRoot, shot)}`);
    return timings;
  } catch (error) {
    const shot = await workbench.screenshot(`${SCREENSHOT}--failure`).catch(() => undefined);
    const logs = collectLogs(input.dirs, browser);
    say(`  failure screenshot: ${shot ? path.relative(repoRoot, shot) : "(none)"}; logs: ${path.relative(repoRoot, logs)}/`);
    throw error;
  }
}

/** code-server's output, VS Code's logs (extension host, output channels) and the browser console. */
function collectLogs(dirs: SessionDirs, browser: BrowserSession): string {
  const dest = path.join(logsDir, SCREENSHOT);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  if (fs.existsSync(dirs.logs)) fs.cpSync(dirs.logs, dest, { recursive: true });
  const vscodeLogs = path.join(dirs.userData, "logs");
  if (fs.existsSync(vscodeLogs)) fs.cpSync(vscodeLogs, path.join(dest, "vscode"), { recursive: true });
  fs.writeFileSync(path.join(dest, "browser-console.log"), browser.consoleLines.join("\n") + "\n");
  return dest;
}
