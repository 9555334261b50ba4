/**
 * The simulator in its own process, for benchmarks: the driver, the tunnel and the simulator must
 * not share one event loop (and one core), or every figure would measure the driver too.
 *
 *   node --import tsx bench/support/simChild.ts     (config as one JSON line on stdin)
 *
 * Config: `{ "kind": "simulator", "scenario": "demo" | "scale" | "entra", "scale"?: {...}, "simulation"?: {...} }`
 * starts the whole simulator (what users point the extension at); `{ "kind": "dataPlane",
 * "targets": { "<vm name>": <tcp port> } }` starts only the simulator's Bastion data plane, with a
 * benchmark authority that routes each pseudo-VM to a local TCP port (raw-relay benchmarks: bytes
 * with no SSH on top). Prints one JSON line on stdout when ready, then nothing; stops cleanly on
 * SIGTERM/SIGINT or when stdin closes (so it never outlives the driver).
 *
 * Nothing secret crosses argv, the environment or stdout: the driver signs in through the control
 * API like a user would, and the data-plane authority accepts any token (it is not the point here).
 */
import { startBastionDataPlane } from "../../simulator/src/bastion";
import type { BastionAuthority, BastionDataPlane } from "../../simulator/src/contracts";
import { generateScaleScenario, type ScaleOptions } from "../../simulator/scenarios/scale";
import { loadScenario, readScenarioFile, startSimulator, type Scenario, type Simulator } from "../../simulator/src/index";
import { locateScenario } from "../../simulator/src/scenario/load";
import { ensureCa, issueServerCertificate } from "../../simulator/src/tls/ca";

export type SimChildConfig =
  | { kind: "simulator"; scenario: "demo" | "scale" | "entra"; scale?: ScaleOptions; simulation?: Scenario["simulation"]; startVms?: boolean }
  | { kind: "dataPlane"; targets: Record<string, number> };

export type SimChildReady =
  | { kind: "simulator"; pid: number; settings: Record<string, unknown>; endpoints: Simulator["endpoints"]; vmCount: number }
  | { kind: "dataPlane"; pid: number; dnsName: string };

export const BENCH_BASTION_ID = "/subscriptions/00000000-0000-0000-0000-0000000000be/resourceGroups/rg-bench/providers/Microsoft.Network/bastionHosts/bas-bench";

export function benchVmId(name: string): string {
  return `/subscriptions/00000000-0000-0000-0000-0000000000be/resourceGroups/rg-bench/providers/Microsoft.Compute/virtualMachines/${name}`;
}

function readConfig(): Promise<SimChildConfig> {
  // A plain 'data' listener: an async iterator would destroy stdin when left early, and stdin
  // staying open is how this process knows the driver is still there.
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer): void => {
      text += chunk.toString("utf8");
      const nl = text.indexOf("\n");
      if (nl < 0) return;
      process.stdin.off("data", onData);
      try {
        resolve(JSON.parse(text.slice(0, nl)) as SimChildConfig);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    };
    process.stdin.on("data", onData);
  });
}

async function startWholeSimulator(config: Extract<SimChildConfig, { kind: "simulator" }>): Promise<{ ready: SimChildReady; stop(): Promise<void> }> {
  const doc: Scenario = config.scenario === "scale" ? generateScaleScenario(config.scale) : readScenarioFile(locateScenario(config.scenario));
  doc.simulation = { ...doc.simulation, jitInitiatingSeconds: 0, vmStartSeconds: 0, pimProvisioningSeconds: 0, ...config.simulation };
  loadScenario(doc, Date.now());
  const sim = await startSimulator({ scenario: doc, startVms: config.startVms ?? config.scenario !== "scale" });
  return {
    ready: { kind: "simulator", pid: process.pid, settings: sim.settings, endpoints: sim.endpoints, vmCount: sim.scenario.vms.length },
    stop: () => sim.stop(),
  };
}

async function startDataPlane(config: Extract<SimChildConfig, { kind: "dataPlane" }>): Promise<{ ready: SimChildReady; stop(): Promise<void> }> {
  const ca = await ensureCa();
  const tls = await issueServerCertificate(ca, ["localhost", "127.0.0.1"]);
  const authority: BastionAuthority = {
    authorizeTokenRequest(_bastionId, form) {
      const resourceId = form.get("resourceId") ?? "";
      const name = resourceId.split("/").pop() ?? "";
      if (config.targets[name] === undefined) return { ok: false, status: 404, message: `Resource ${resourceId} not found` };
      return { ok: true, target: { vmId: resourceId, port: Number(form.get("workloadHostPort")) }, principal: "bench@contoso.example" };
    },
    authorizeConnect(_bastionId, target) {
      const port = config.targets[target.vmId.split("/").pop() ?? ""];
      return port === undefined ? { ok: false, reason: "unknown target" } : { ok: true, host: "127.0.0.1", port };
    },
  };
  const dataPlane: BastionDataPlane = await startBastionDataPlane({
    bastionId: BENCH_BASTION_ID,
    tls,
    hooks: { authority, now: () => Date.now(), audit: () => undefined, fault: () => undefined },
  });
  return { ready: { kind: "dataPlane", pid: process.pid, dnsName: dataPlane.dnsName }, stop: () => dataPlane.close() };
}

async function main(): Promise<void> {
  const config = await readConfig();
  const started = config.kind === "simulator" ? await startWholeSimulator(config) : await startDataPlane(config);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    started.stop().finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // The driver holds our stdin open; when it goes (even killed), we go.
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify(started.ready)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`simChild: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
