/**
 * Test helper: starts the Azure simulator in-process and gives tests a typed control-API client
 * and a real `@azure/identity` user credential signed in through the device-code flow.
 * Tests must run under scripts/with-sim-ca.mjs (NODE_EXTRA_CA_CERTS → the simulator CA).
 */
import { DeviceCodeCredential, type DeviceCodeInfo } from "@azure/identity";
import { loadScenario, readScenarioFile, startSimulator, type Scenario, type Simulator, type StartSimulatorOptions } from "../../simulator/src/index";
import { locateScenario } from "../../simulator/src/scenario/load";
import { ControlClient, type SignInOptions } from "./controlClient";

export * from "./controlClient";

/** The custom-cloud settings the simulator prints, as typed values. */
export interface SimulatorSettings {
  authorityHost: string;
  resourceManagerEndpoint: string;
  resourceManagerAudience: string;
  keyVaultAudience: string;
  keyVaultDnsSuffix: string;
  clientId: string;
  tenantId: string;
  controlUrl: string;
  /** `<resourceManagerAudience>/.default` */
  armScope: string;
  /** The cloud's `activeDirectoryResourceId` (the Bastion `aztoken` audience). */
  activeDirectoryResourceId: string;
  /** `<activeDirectoryResourceId>/.default`, trailing slash kept (`https://management.core.windows.net//.default`). */
  bastionScope: string;
  /** The raw VS Code settings object. */
  raw: Record<string, unknown>;
}

export interface TestSimulator {
  sim: Simulator;
  settings: SimulatorSettings;
  control: ControlClient;
  /**
   * A DeviceCodeCredential for `upn`, configured from the settings (authorityHost,
   * disableInstanceDiscovery, additionallyAllowedTenants ["*"]); its prompt callback approves
   * through the control API with the given sign-in context. It has already signed in (ARM scope)
   * when returned, so a refused sign-in rejects here.
   */
  signInWithDeviceCode(upn: string, options?: SignInOptions): Promise<DeviceCodeCredential>;
  /** A credential whose prompt approves with these options, without signing in yet. */
  deviceCodeCredential(upn: string, options?: SignInOptions): DeviceCodeCredential;
  stop(): Promise<void>;
}

export interface TestSimulatorOptions extends Omit<StartSimulatorOptions, "scenario"> {
  /** Overrides of the scenario's `simulation` block. Tests default to no delays. */
  simulation?: Scenario["simulation"];
  /** Edits the scenario document before it starts (e.g. add a Conditional Access policy). */
  edit?: (scenario: Scenario) => void;
}

/** Scenario document of a built-in scenario or file, for tests that want to modify it. */
export function scenarioDocument(name: string): Scenario {
  return readScenarioFile(locateScenario(name));
}

export async function startTestSimulator(scenario: string | Scenario = "demo", options: TestSimulatorOptions = {}): Promise<TestSimulator> {
  const doc: Scenario = typeof scenario === "string" ? scenarioDocument(scenario) : structuredClone(scenario);
  doc.simulation = { ...doc.simulation, jitInitiatingSeconds: 0, vmStartSeconds: 0, pimProvisioningSeconds: 0, ...options.simulation };
  options.edit?.(doc);
  loadScenario(doc, Date.now()); // fail fast with the scenario's own error before any server starts
  const { simulation: _s, edit: _e, ...startOptions } = options;
  const sim = await startSimulator({ ...startOptions, scenario: doc });
  const raw = sim.settings;
  const cloud = raw["azureJit.customCloud"] as Record<string, string>;
  const settings: SimulatorSettings = {
    authorityHost: cloud.authorityHost!,
    resourceManagerEndpoint: cloud.resourceManagerEndpoint!,
    resourceManagerAudience: cloud.resourceManagerAudience!,
    keyVaultAudience: cloud.keyVaultAudience!,
    keyVaultDnsSuffix: cloud.keyVaultDnsSuffix!,
    clientId: String(raw["azureJit.auth.clientId"]),
    tenantId: String(raw["azureJit.auth.tenantId"]),
    controlUrl: String(raw["azureJit.demo.simulatorControlUrl"]),
    armScope: `${cloud.resourceManagerAudience!.replace(/\/+$/, "")}/.default`,
    activeDirectoryResourceId: cloud.activeDirectoryResourceId!,
    bastionScope: `${cloud.activeDirectoryResourceId!}/.default`,
    raw,
  };
  const control = new ControlClient(settings.controlUrl);
  const deviceCodeCredential = (upn: string, o: SignInOptions = {}): DeviceCodeCredential =>
    new DeviceCodeCredential({
      tenantId: o.tenantId ?? settings.tenantId,
      clientId: settings.clientId,
      authorityHost: settings.authorityHost,
      disableInstanceDiscovery: true,
      additionallyAllowedTenants: ["*"],
      userPromptCallback: (info: DeviceCodeInfo) => {
        // A refused approval (unknown user, no MFA method) declines the code, so the flow ends at once instead of polling until expiry.
        control
          .approveDeviceCode({ userCode: info.userCode, upn, mfa: o.mfa, deviceCompliant: o.deviceCompliant, location: o.location, deny: o.deny })
          .catch(() => control.approveDeviceCode({ userCode: info.userCode, upn, deny: true }))
          .catch(() => undefined);
      },
    });
  return {
    sim,
    settings,
    control,
    deviceCodeCredential,
    async signInWithDeviceCode(upn, o = {}) {
      const credential = deviceCodeCredential(upn, o);
      await credential.authenticate(settings.armScope);
      return credential;
    },
    stop: () => sim.stop(),
  };
}
