/**
 * `npm run simulator -- --scenario demo [--fixed-ports] [--home DIR] [--no-vms]`
 * Starts the Azure simulator, prints the VS Code settings, the control URL and the device-login
 * URL, and stops cleanly (every server closed, every sshd gone) on SIGINT/SIGTERM.
 */
// The simulator lint block's pattern "**/src/**" is meant for the product's src/ but also matches
// the simulator's own simulator/src (change requested in the hand-over report).
import { ScenarioError, startSimulator } from "./src/index";
import { generateScaleScenario } from "./scenarios/scale";

interface Args {
  scenario: string;
  fixedPorts: boolean;
  home?: string;
  startVms: boolean;
  verbose: boolean;
}

function usage(): string {
  return [
    "usage: npm run simulator -- [--scenario demo|scale|<file.yaml>] [--fixed-ports] [--home DIR] [--no-vms] [--verbose]",
    "  --scenario     built-in name (demo, scale) or a path to a .yaml/.json scenario (default demo)",
    "  --fixed-ports  login 8440, ARM 8441, control 8442, device login 8443, vaults 8450 (every vault, by host name), Bastions 8470.. (stable settings)",
    "  --home         where the CA and VM folders live (default $AZSIM_HOME or <repo>/.sim)",
    "  --no-vms       do not start sshd processes",
  ].join("\n");
}

function parseArgs(argv: string[]): Args {
  const a: Args = { scenario: "demo", fixedPorts: false, startVms: true, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${usage()}`);
      return v;
    };
    if (arg === "--scenario") a.scenario = value();
    else if (arg === "--fixed-ports") a.fixedPorts = true;
    else if (arg === "--home") a.home = value();
    else if (arg === "--no-vms") a.startVms = false;
    else if (arg === "--verbose") a.verbose = true;
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${usage()}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${usage()}`);
  }
  return a;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string): void => {
    if (args.verbose) process.stderr.write(`[azsim] ${line}\n`);
  };
  const scenario = args.scenario === "scale" ? generateScaleScenario() : args.scenario;
  const sim = await startSimulator({ scenario, home: args.home, fixedPorts: args.fixedPorts, startVms: args.startVms && args.scenario !== "scale", log });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping the simulator...\n`);
    sim.stop().then(
      () => {
        process.stderr.write("Simulator stopped (all servers closed, all VMs stopped).\n");
        process.exit(0);
      },
      (e: unknown) => {
        process.stderr.write(`Stop failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));

  const out = process.stdout;
  out.write(`Azure simulator running scenario "${sim.scenario.name}" (${sim.scenario.vms.length} VMs).\n\n`);
  out.write("VS Code settings (settings.json):\n");
  out.write(`${JSON.stringify(sim.settings, null, 2)}\n\n`);
  out.write(`Control API:   ${sim.endpoints.control}/_sim/state\n`);
  out.write(`Device login:  ${sim.endpoints.login}/devicelogin\n`);
  out.write(`ARM:           ${sim.endpoints.arm}\n`);
  out.write(`CA certificate (NODE_EXTRA_CA_CERTS): ${sim.caCertPath}\n`);
  for (const u of sim.scenario.users) out.write(`User:          ${u.upn}\n`);
  out.write("\nPress Ctrl+C to stop (or send SIGTERM).\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof ScenarioError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
