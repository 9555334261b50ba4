/**
 * Test helper: starts the Azure simulator in-process and gives tests a typed control-API client
 * and a real `@azure/identity` user credential signed in through the device-code flow.
 * Tests must run under scripts/with-sim-ca.mjs (NODE_EXTRA_CA_CERTS → the simulator CA).
 */
import { DeviceCodeCredential, type DeviceCodeInfo } from "@azure/identity";
import { loadScenario, readScenarioFile, startSimulator, type Scenario, type Simulator, type StartSimulatorOptions } from "../../simulator/src/index";
import { locateScenario } from "../../simulator/src/scenario/load";

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
  /** The raw VS Code settings object. */
  raw: Record<string, unknown>;
}

export interface SignInOptions {
  /** Complete MFA during sign-in (default false). */
  mfa?: boolean;
  deviceCompliant?: boolean;
  location?: string;
  /** Tenant of the credential (default "organizations": the user's home tenant). */
  tenantId?: string;
  /** Decline instead of approving. */
  deny?: boolean;
}

export interface ApproveDeviceCodeInput extends Omit<SignInOptions, "tenantId"> {
  userCode: string;
  upn: string;
}

export interface AuditRecord {
  seq: number;
  time: string;
  service: string;
  method: string;
  path: string;
  status: number;
  principal?: string;
  detail?: string;
}

export interface PimRequestSummary {
  name: string;
  status: string;
  requestType: string;
  scope: string;
  role: string;
  principalId: string;
  requestor: string;
  justification: string | null;
  ticketNumber: string | null;
}

export interface VmSummary {
  id: string;
  name: string;
  power: string;
  running: boolean;
  sshPort?: number;
  homeDir?: string;
  logFile?: string;
  hostPublicKey?: string;
  loginUser?: string;
  credential?: "sshKey" | "password";
  passwordLoginUnavailable?: string;
}

export interface FaultInput {
  match: { service?: string; method?: string; pathRegex?: string };
  latencyMs?: number;
  status?: number;
  retryAfterSeconds?: number;
  count?: number;
  dropWebSocketAfterBytes?: number;
}

export class ControlApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`control API answered ${status}: ${JSON.stringify(body)}`);
  }
}

/** Typed client for the simulator's control API (`/_sim/...`). */
export class ControlClient {
  constructor(readonly baseUrl: string) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new ControlApiError(res.status, parsed);
    return parsed as T;
  }

  health(): Promise<{ status: string; scenario: string; now: string }> {
    return this.call("GET", "/_sim/health");
  }
  state(): Promise<Record<string, unknown>> {
    return this.call("GET", "/_sim/state");
  }
  async now(): Promise<Date> {
    return new Date((await this.call<{ now: string }>("GET", "/_sim/clock")).now);
  }
  async advanceClock(seconds: number): Promise<Date> {
    return new Date((await this.call<{ now: string }>("POST", "/_sim/clock", { advanceSeconds: seconds })).now);
  }
  approveDeviceCode(input: ApproveDeviceCodeInput): Promise<{ approved: boolean }> {
    return this.call("POST", "/_sim/devicecode/approve", input);
  }
  async pimRequests(status?: string): Promise<PimRequestSummary[]> {
    return (await this.call<{ value: PimRequestSummary[] }>("GET", `/_sim/pim/requests${status ? `?status=${encodeURIComponent(status)}` : ""}`)).value;
  }
  approvePim(name: string, justification?: string): Promise<PimRequestSummary> {
    return this.call("POST", `/_sim/pim/requests/${encodeURIComponent(name)}/approve`, { justification });
  }
  denyPim(name: string, justification?: string): Promise<PimRequestSummary> {
    return this.call("POST", `/_sim/pim/requests/${encodeURIComponent(name)}/deny`, { justification });
  }
  async vms(): Promise<VmSummary[]> {
    return (await this.call<{ value: VmSummary[] }>("GET", "/_sim/vms")).value;
  }
  async vm(name: string): Promise<VmSummary> {
    const vm = (await this.vms()).find((v) => v.name === name);
    if (!vm) throw new Error(`no VM ${name}`);
    return vm;
  }
  setPower(vmName: string, state: "running" | "stopped" | "deallocated"): Promise<VmSummary> {
    return this.call("POST", `/_sim/vms/${encodeURIComponent(vmName)}/power`, { state });
  }
  async addFault(fault: FaultInput): Promise<string> {
    return (await this.call<{ id: string }>("POST", "/_sim/faults", fault)).id;
  }
  async clearFaults(id?: string): Promise<void> {
    await this.call("DELETE", id ? `/_sim/faults/${encodeURIComponent(id)}` : "/_sim/faults");
  }
  async audit(since = 0): Promise<AuditRecord[]> {
    return (await this.call<{ value: AuditRecord[] }>("GET", `/_sim/audit?since=${since}`)).value;
  }
  armCaeChallenge(count = 1): Promise<{ armed: number }> {
    return this.call("POST", "/_sim/cae", { count });
  }
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
