import * as path from "node:path";
import * as vscode from "vscode";
import { readScenarioFile, startSimulator, type Simulator } from "../../../simulator/src/index";
import type { AzureJitTestApi } from "../../../src/extension";
import type { CommandOutcome } from "../../../src/vscode/commands/registerCommand";
import { getExtension } from "./manifest";

/**
 * The Azure simulator, started inside the extension host (the harness has no hook to start it
 * before code-server; the host inherits NODE_EXTRA_CA_CERTS from `npm run test:vscode`, which runs
 * under scripts/with-sim-ca.mjs), the extension pointed at it through its settings, and a stand-in
 * for the user who enters device codes in the browser.
 */
export interface SimulatorSession {
  sim: Simulator;
  api: AzureJitTestApi;
  control(method: string, urlPath: string, body?: unknown): Promise<unknown>;
  /** Runs a command and resolves with its outcome (the wrapper never rejects: it shows errors). */
  run(id: string, ...args: unknown[]): Promise<CommandOutcome>;
  vmId(name: string): string;
  /** Whether the stand-in user enters the device codes shown (default true). */
  approveDeviceCodes: boolean;
  /** Waits until the extension sees new settings and has applied them. */
  settingsApplied(seen: () => boolean): Promise<void>;
  stop(): Promise<void>;
}

export const ALICE = "alice@contoso.example";

export async function startSimulatorSession(): Promise<SimulatorSession> {
  if (!process.env.NODE_EXTRA_CA_CERTS) throw new Error("NODE_EXTRA_CA_CERTS is not set: run the extension-host tests with `npm run test:vscode` (scripts/with-sim-ca.mjs)");
  const extension = getExtension();
  const api = (await extension.activate()) as AzureJitTestApi | undefined;
  if (!api?.services) throw new Error("the extension returned no test API (is it running in Test mode?)");
  const repo = extension.extensionPath;
  const scenario = readScenarioFile(path.join(repo, "simulator/scenarios/demo.yaml"));
  // No waiting on simulated provisioning: the tests are about what the UI shows.
  scenario.simulation = { ...scenario.simulation, jitInitiatingSeconds: 0, pimProvisioningSeconds: 0, vmStartSeconds: 0 };
  const sim = await startSimulator({ scenario, home: path.join(repo, ".sim"), startVms: false });

  const control = async (method: string, urlPath: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${sim.endpoints.control}${urlPath}`, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${urlPath}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };

  // The user at the browser: approves every device code shown to Alice (the home and the guest tenant).
  let approving = true;
  const session = { approveDeviceCodes: true };
  const approver = (async () => {
    while (approving) {
      if (!session.approveDeviceCodes) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      try {
        const { pending } = (await control("GET", "/_sim/devicecode")) as { pending: { userCode: string }[] };
        for (const code of pending) await control("POST", "/_sim/devicecode/approve", { userCode: code.userCode, upn: ALICE, mfa: true });
      } catch {
        // The simulator is stopping, or a code expired between list and approve.
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();

  // Point the extension at the simulator; the sign-in settings change rebuilds its service.
  const settings = vscode.workspace.getConfiguration();
  // VS Code 1.100 adds the system's certificates to every TLS context of the extension host
  // (`http.systemCertificates`), and doing so drops the certificates Node took from
  // NODE_EXTRA_CA_CERTS: the simulator's CA would not be trusted ("self-signed certificate in
  // certificate chain"). Node's own store, with that CA, applies when the setting is off.
  await settings.update("http.systemCertificates", false, vscode.ConfigurationTarget.Global);
  for (const [key, value] of Object.entries(sim.settings)) await settings.update(key, value, vscode.ConfigurationTarget.Global);
  await settingsApplied(api, () => api.services.config().simulatorControlUrl === sim.endpoints.control);

  const run = async (id: string, ...args: unknown[]): Promise<CommandOutcome> => {
    const outcome = new Promise<CommandOutcome>((resolve) => {
      const sub = api.commands.onDidFinish((o) => {
        if (o.id !== id) return;
        sub.dispose();
        resolve(o);
      });
    });
    await vscode.commands.executeCommand(id, ...args);
    return outcome;
  };

  const rest: Omit<SimulatorSession, "approveDeviceCodes"> = {
    sim,
    api,
    control,
    run,
    settingsApplied: (seen: () => boolean) => settingsApplied(api, seen),
    vmId: (name: string) => {
      const vm = sim.scenario.vms.find((v) => v.name === name);
      if (!vm) throw new Error(`no VM ${name} in the scenario`);
      return vm.id;
    },
    stop: async () => {
      approving = false;
      await approver;
      await vscode.commands.executeCommand("azureJit.signOut");
      for (const key of [...Object.keys(sim.settings), "http.systemCertificates"]) await settings.update(key, undefined, vscode.ConfigurationTarget.Global);
      await settingsApplied(api, () => api.services.config().simulatorControlUrl === "");
      await sim.stop();
    },
  };
  return Object.assign(session, rest);
}

/** Waits until the extension sees the new settings (`seen`) and has applied them (debounced, then rebuilt). */
async function settingsApplied(api: AzureJitTestApi, seen: () => boolean): Promise<void> {
  await eventually(seen, "the extension sees the new settings");
  // The watcher waits for the burst to end (CONFIG_DEBOUNCE_MS) before it applies anything.
  await new Promise((r) => setTimeout(r, 400));
  await api.settingsApplied();
}

/** Polls `check` until it returns true (or throws the last failure after `timeoutMs`). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
