/// <reference types="mocha" />
import assert from "node:assert/strict";
import { type Session } from "../harness/session";
import { useSession } from "../harness/mocha";
import { startTestSimulator, type TestSimulator, type TestSimulatorOptions } from "../../support/simulator";
import { AzureJitView, type SimulatorEndpoints } from "./azureJitView";
import { QUIET_REMOTE_SETTINGS, SIMULATOR_TRUST_SETTINGS } from "./workbenchSettings";

/** What a simulator-backed spec works with. */
export interface SimSession {
  session: Session;
  sim: TestSimulator;
  view: AzureJitView;
  endpoints: SimulatorEndpoints;
  /** The demo scenario's user. */
  upn: string;
}

export interface SimSessionOptions {
  /** Overrides of the scenario's `simulation` block (startTestSimulator defaults delays to 0). */
  simulation?: TestSimulatorOptions["simulation"];
  /** More VS Code settings, over the simulator's. */
  settings?: Readonly<Record<string, unknown>>;
  /** Another built-in scenario than "demo" (same user, alice). */
  scenario?: string;
}

export const DEMO_USER = "alice@contoso.example";

/**
 * One `describe` = one demo-scenario simulator (ephemeral ports, own CA-signed origins, real sshd
 * per VM) + one code-server session pointed at it. Mocha runs the hooks in registration order: the
 * simulator is up before code-server starts and stops after the session is gone (harness/mocha.ts).
 */
export function useSimulatorSession(name: string, options: SimSessionOptions = {}): () => SimSession {
  let sim: TestSimulator | undefined;
  let view: AzureJitView | undefined;

  before(async function (this: Mocha.Context) {
    this.timeout(60_000);
    sim = await startTestSimulator(options.scenario ?? "demo", { simulation: options.simulation });
  });

  const session = useSession(() => {
    if (!sim) throw new Error("the simulator did not start");
    return {
      name,
      settings: {
        ...sim.settings.raw,
        ...SIMULATOR_TRUST_SETTINGS,
        // Remote-SSH cannot run in code-server: Connect opens an SSH terminal.
        "azureJit.connect.method": "terminal",
        ...QUIET_REMOTE_SETTINGS,
        ...options.settings,
      },
      // The extension host, and ssh → tunnel.js in its terminals, trust the simulator's CA through this.
      env: { NODE_EXTRA_CA_CERTS: sim.sim.caCertPath },
      // The device-login tab opens the simulator's https page, whose CA Chromium does not know.
      ignoreHttpsErrors: true,
    };
  });

  after(async function (this: Mocha.Context) {
    this.timeout(30_000);
    await sim?.stop();
  });

  return () => {
    const s = session();
    if (!sim) throw new Error("the simulator did not start");
    view ??= new AzureJitView(s.workbench, s.browser.context);
    return {
      session: s,
      sim,
      view,
      endpoints: { controlUrl: sim.settings.controlUrl, deviceLoginUrl: `${sim.sim.endpoints.login}/devicelogin` },
      upn: DEMO_USER,
    };
  };
}

/**
 * Signs in as the demo user and waits for `vm` to show `state`, with the sign-in prompts cleared
 * and the side bar wide enough for the README's pictures. The first step of the lifecycle specs.
 */
export async function signInAndFindVm(s: SimSession, vm: string, state: RegExp, options: { mfa?: boolean } = {}): Promise<void> {
  await s.view.open();
  await s.view.signIn(s.endpoints, { upn: s.upn, ...(options.mfa === undefined ? {} : { mfa: options.mfa }) });
  // Sign-in prompts stay on screen (the vm-tree spec reports that): clear them for the pictures that follow.
  await s.session.workbench.notifications.clearAll();
  await s.view.widenSideBar(420);
  await s.view.waitForVms([vm]);
  await s.view.waitForVmDescription(vm, state);
}

/**
 * Specs whose steps build on each other, as they do for a user: a step after a failed one fails at
 * once, naming the step it needed, instead of timing out on a screen that cannot appear.
 */
export function stepChain(): { done(step: string): void; needs(step: string): void } {
  const passed = new Set<string>();
  return {
    done: (step) => void passed.add(step),
    needs: (step) => assert.ok(passed.has(step), `skipped: this step needs "${step}", which did not pass`),
  };
}
