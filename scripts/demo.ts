/**
 * `npm run demo`: Azure JIT Connect on the built-in Azure simulator, in a real VS Code (code-server)
 * on this machine, with no Azure account. Installs code-server and Chromium on first use, builds and
 * packages the extension, starts the simulator's demo scenario on its fixed ports, starts
 * code-server with the .vsix installed and settings pointing at the simulator, then prints the URL
 * and a tour. Ctrl+C stops everything it started. `--check` verifies the whole path headlessly (CI).
 *
 *   node --import tsx scripts/demo.ts [--port N] [--open] [--check] [--keep]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { seedSettings, installExtension, startCodeServer, type CodeServer } from "../test/e2e/harness/codeServer";
import { launchBrowser } from "../test/e2e/harness/browser";
import { readManifest, runInServerHost } from "../test/e2e/harness/manifest";
import { sweepOrphans } from "../test/e2e/harness/orphans";
import { repoRoot } from "../test/e2e/harness/paths";
import { alive, newTag, runChecked, terminate } from "../test/e2e/harness/processes";
import { sessionEnv } from "../test/e2e/harness/sessionDirs";
import { readScenarioFile, startSimulator, type Simulator } from "../simulator/src/index";
import { locateScenario } from "../simulator/src/scenario/load";
import { QUIET_REMOTE_SETTINGS, SIMULATOR_TRUST_SETTINGS } from "../test/e2e/support/workbenchSettings";
import { parseDemoArgs, UsageError, USAGE } from "./demo/args";
import { runCheck } from "./demo/check";
import { buildExtension, checkPlatform, DemoSetupError, ensureCodeServerAndChromium, ensureSimulatorPrograms } from "./demo/dependencies";
import { Lifetime, StoppingError } from "./demo/lifetime";
import { assertPortsFree, PortsTakenError, type NeededPort } from "./demo/ports";
import { createRunDirs, demoVsixPath, finishRunDirs, sweepDeadRuns } from "./demo/runDirs";
import { tourLines, tourMarkdown } from "./demo/tour";

const SCENARIO = "demo";
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const warn = (line: string): void => void process.stderr.write(`${line}\n`);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The simulator's fixed ports (docs/ARCHITECTURE.md; `simulator/main.ts --fixed-ports`) for this scenario. */
function simulatorPorts(): NeededPort[] {
  const doc = readScenarioFile(locateScenario(SCENARIO));
  return [
    { port: 8440, use: "simulator: Entra ID login" },
    { port: 8441, use: "simulator: ARM" },
    { port: 8442, use: "simulator: control API" },
    ...((doc.vaults ?? []).length > 0 ? [{ port: 8450, use: "simulator: Key Vault (every vault, by host name)" }] : []),
    ...(doc.bastions ?? []).map((b, i) => ({ port: 8470 + i, use: `simulator: Bastion ${b.name}` })),
  ];
}

/** Runs a timed step, printing its name first and its duration after; none starts once stopping began. */
async function step<T>(lifetime: Lifetime, timings: Record<string, number>, name: string, body: () => Promise<T>): Promise<T> {
  lifetime.throwIfStopping();
  process.stdout.write(`• ${name}... `);
  const start = performance.now();
  const result = await body();
  timings[name] = Math.round(performance.now() - start);
  say(seconds(timings[name]));
  return result;
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseDemoArgs>;
  try {
    parsed = parseDemoArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    warn(error.message);
    return 2;
  }
  if (parsed === "help") return (say(USAGE), 0);
  const args = parsed;
  const started = performance.now();
  const timings: Record<string, number> = {};
  const lifetime = new Lifetime();
  lifetime.exitOnSignals(warn, (ok) => {
    warn(ok ? "Stopped: code-server, Chromium, the simulator and every VM's sshd are gone." : "Stopped, with the errors above.");
    process.exit(ok ? 0 : 1);
  });

  try {
    checkPlatform();
    // Leftovers of a demo or test run that was killed outright (tagged processes, folders).
    const swept = await sweepOrphans();
    const sweptRuns = sweepDeadRuns();
    if (swept || sweptRuns > 0) say(`Cleaned up after an earlier run that did not stop cleanly${swept ? `: ${swept}` : ""}.`);
    await assertPortsFree([...simulatorPorts(), { port: args.port, use: "code-server (choose another with --port N)" }]);

    say(`Starting the Azure JIT Connect demo${args.check ? " (--check)" : ""}:`);
    await step(lifetime, timings, "dependencies", async () => {
      await ensureSimulatorPrograms(async (command, commandArgs) => {
        await runChecked(command, ["update", "-qq"], { inherit: true }).catch(() => undefined);
        await runChecked(command, commandArgs, { inherit: true });
      });
      await ensureCodeServerAndChromium();
    });
    const vsix = await step(lifetime, timings, "build and package the extension", () => buildExtension(demoVsixPath));

    const dirs = createRunDirs();
    lifetime.add("the run's folders", () => finishRunDirs(dirs, args.keep));
    const simulatorLog = path.join(dirs.logs, "simulator.log");
    const simStarting = startSimulator({ scenario: SCENARIO, fixedPorts: true, log: (line) => fs.appendFileSync(simulatorLog, `${new Date().toISOString()} ${line}\n`) });
    // Registered before it is up: a Ctrl+C during the start waits for it, then stops it.
    lifetime.add("the simulator and its VMs", async () => (await simStarting.catch(() => undefined))?.stop());
    const sim: Simulator = await step(lifetime, timings, "start the simulator (demo scenario, real sshd per VM)", () => simStarting);

    const manifest = readManifest(repoRoot);
    const user = sim.scenario.users.find((u) => u.upn.startsWith("alice@")) ?? sim.scenario.users[0];
    if (!user) throw new Error(`the ${SCENARIO} scenario has no user`);
    const deviceLoginUrl = `${sim.endpoints.login}/devicelogin`;
    const tag = newTag();
    // Every process started from here on carries the tag (code-server, its pty host and shells,
    // ssh, Chromium): whatever is still alive at the end goes, even if it was mid-start.
    lifetime.add("processes of this run", async () => void (await terminate([], tag)));
    // The extension host and the terminals' ssh → tunnel.js inherit code-server's environment: that
    // is how they trust the simulator's CA.
    const env = sessionEnv(dirs, tag, { NODE_EXTRA_CA_CERTS: sim.caCertPath });
    const codeServer: CodeServer = await step(lifetime, timings, "start code-server with the extension", async () => {
      seedSettings(dirs, {
        ...runInServerHost([manifest]),
        ...sim.settings,
        ...SIMULATOR_TRUST_SETTINGS,
        ...QUIET_REMOTE_SETTINGS,
        // Remote-SSH cannot run inside code-server: Connect opens an SSH terminal.
        "azureJit.connect.method": "terminal",
        "workbench.startupEditor": "readme",
        // The run's workspace lies inside this repository: no "open the parent repository?" prompt.
        "git.openRepositoryInParentFolders": "never",
      });
      await installExtension(dirs, env, vsix);
      lifetime.throwIfStopping();
      const server = await startCodeServer({ dirs, env, tag, folder: dirs.workspace, port: args.port });
      lifetime.add("code-server", () => server.stop());
      return server;
    });
    const workbenchUrl = `${codeServer.origin}/?folder=${encodeURIComponent(dirs.workspace)}`;
    const tour = {
      workbenchUrl,
      deviceLoginUrl,
      controlUrl: sim.endpoints.control,
      caCertPath: sim.caCertPath,
      user,
      vmNames: sim.scenario.vms.map((v) => v.name),
      passwordUnavailable: await passwordLoginProblems(sim.endpoints.control),
      startSeconds: (performance.now() - started) / 1000,
    };
    fs.writeFileSync(path.join(dirs.workspace, "README.md"), tourMarkdown(tour));

    if (args.check) {
      say("Checking it end to end in headless Chromium:");
      const check = await runCheck(
        { codeServer, dirs, env, lifetime, sim: { controlUrl: sim.endpoints.control, deviceLoginUrl }, extensionId: manifest.id, upn: user.upn, vmNames: tour.vmNames },
        say,
      );
      const ready = Math.round(tour.startSeconds * 1000);
      say(`Demo check passed. Start ${seconds(ready)} (${Object.entries(timings).map(([k, v]) => `${k} ${seconds(v)}`).join(", ")}); workbench ${seconds(check.workbenchMs)}, activation ${seconds(check.activationMs)}, sign-in ${seconds(check.signInMs)}, VM list ${seconds(check.vmsMs)}.`);
      return (await lifetime.stopAll(warn)) ? 0 : 1;
    }

    say("");
    for (const line of tourLines(tour)) say(line);
    if (args.open) await openChromium({ url: workbenchUrl, codeServerOrigin: codeServer.origin, deviceLoginUrl, profileDir: dirs.browserProfile, env, lifetime });
    if (args.keep) say(`\nThis run's settings and logs stay in ${path.relative(repoRoot, dirs.root)}/ after it stops (--keep).`);
    const code = await untilCodeServerExits(codeServer, lifetime);
    await lifetime.stopAll(warn);
    return code;
  } catch (error) {
    // A signal is stopping everything (which also ends a step midway) and will exit: nothing to add.
    if (error instanceof StoppingError || lifetime.isStopping) return new Promise<number>(() => undefined);
    if (error instanceof DemoSetupError || error instanceof PortsTakenError) warn(`\n${error.message}`);
    else warn(`\nThe demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await lifetime.stopAll(warn);
    return 1;
  }
}

/**
 * `--open`: a visible Chromium on the workbench. It accepts the simulator's certificate, and it
 * sends a device-login tab that went through code-server's port proxy to the real page: code-server
 * rewrites localhost URLs opened through the API to its own proxy (`/proxy/<port>/`, path and
 * https dropped), which cannot reach the simulator's TLS origin.
 */
async function openChromium(o: { url: string; codeServerOrigin: string; deviceLoginUrl: string; profileDir: string; env: NodeJS.ProcessEnv; lifetime: Lifetime }): Promise<void> {
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    warn("\n--open: no display here (DISPLAY and WAYLAND_DISPLAY are unset); open the URL above in your own browser.");
    return;
  }
  o.lifetime.throwIfStopping();
  const browser = await launchBrowser({ profileDir: o.profileDir, env: o.env, headless: false, ignoreHttpsErrors: true, viewport: { width: 1440, height: 900 } });
  o.lifetime.add("Chromium", () => browser.close());
  const loginPort = new URL(o.deviceLoginUrl).port;
  await browser.context.route(`${o.codeServerOrigin}/proxy/${loginPort}/**`, (route) => route.fulfill({ status: 302, headers: { location: o.deviceLoginUrl } }));
  await browser.page.goto(o.url);
  say("\nChromium is open on the workbench (closing it leaves the demo running).");
}

/** VMs whose password login the simulator cannot offer (it needs root for their OS account), from `GET /_sim/vms`. */
async function passwordLoginProblems(controlUrl: string): Promise<Map<string, string>> {
  const response = await fetch(`${controlUrl}/_sim/vms`, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { value?: { name?: unknown; passwordLoginUnavailable?: unknown }[] };
  const problems = new Map<string, string>();
  for (const vm of body.value ?? []) if (typeof vm.name === "string" && typeof vm.passwordLoginUnavailable === "string") problems.set(vm.name, vm.passwordLoginUnavailable);
  return problems;
}

/** The demo runs until Ctrl+C (handled by Lifetime); if code-server dies on its own, say so and stop the rest. */
function untilCodeServerExits(codeServer: CodeServer, lifetime: Lifetime): Promise<number> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (lifetime.isStopping) return clearInterval(timer);
      if (alive(codeServer.pid)) return;
      clearInterval(timer);
      const tail = fs.readFileSync(codeServer.logFile, "utf8").split("\n").slice(-20).join("\n");
      warn(`\ncode-server exited on its own. The end of its output:\n${tail}\nStopping the rest.`);
      resolve(1);
    }, 2000);
  });
}

main().then(
  async (code) => {
    process.exit(code);
  },
  (error: unknown) => {
    warn(`The demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
