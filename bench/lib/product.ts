/**
 * The product, in the driver process, pointed at a simulator running in another process: the
 * device-code sign-in (approved through the control API, standing in for the user), the core
 * service (inventory, access flow, Key Vault credential, SSH config) and its broker, which the
 * tunnel processes ask for Bastion sessions. The ARM token never leaves this process: children get
 * only XDG_RUNTIME_DIR (where the broker socket is) and TMPDIR.
 */
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadAzureSdk } from "../../src/core/azure/sdkLoader";
import { resolveCloud, type CloudEnvironment, type CustomCloudSetting } from "../../src/core/cloud";
import { MemoryCredentialChoiceStore } from "../../src/core/credential/credentialSource";
import type { Logger } from "../../src/core/logger";
import { JitConnectService } from "../../src/core/service/jitConnectService";
import type { SimChildReady } from "../support/simChild";
import { ControlClient } from "../../test/support/controlClient";

export const UPN = "alice@contoso.example";

export interface ProductSession {
  root: string;
  service: JitConnectService;
  cloud: CloudEnvironment;
  control: ControlClient;
  /** Environment for ssh and tunnel children: where the broker is; nothing secret. */
  childEnv: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export function simCloud(ready: Extract<SimChildReady, { kind: "simulator" }>): CloudEnvironment {
  return resolveCloud("Custom", { ...(ready.settings["azureJit.customCloud"] as CustomCloudSetting), name: "Simulator" });
}

export const quietLogger: Logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export async function startProductSession(
  ready: Extract<SimChildReady, { kind: "simulator" }>,
  options: { tunnelJs: string; logger?: Logger; signIn?: boolean; loadInventory?: boolean },
): Promise<ProductSession> {
  const control = new ControlClient(ready.endpoints.control);
  const cloud = simCloud(ready);
  const sdk = await loadAzureSdk();
  const credential = sdk.createCredential({
    method: "deviceCode",
    cloud,
    tenantId: String(ready.settings["azureJit.auth.tenantId"]),
    clientId: String(ready.settings["azureJit.auth.clientId"]),
    userPrompt: (p) => void control.approveDeviceCode({ userCode: p.userCode, upn: UPN }).catch(() => undefined),
  });
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-bench-"));
  const xdg = path.join(root, "xdg");
  await fsp.mkdir(xdg, { recursive: true, mode: 0o700 });
  const service = await JitConnectService.create({
    cloud,
    credential,
    accessInput: async (request) => ({ justification: "benchmark", durationMs: Math.min(60 * 60_000, request.maxDurationMs) }),
    storageDir: path.join(root, "storage"),
    home: path.join(root, "home"),
    tunnelProgram: { nodePath: process.execPath, tunnelScript: options.tunnelJs, viaLauncher: false },
    credentialChoices: new MemoryCredentialChoiceStore(),
    confirmUserConfigEdit: async () => true,
    logger: options.logger ?? quietLogger,
    brokerRuntimeDir: path.join(xdg, "azure-jit-connect"),
  });
  if (options.signIn !== false) await service.signIn();
  if (options.signIn !== false && options.loadInventory !== false) await service.refreshInventory();
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
    XDG_RUNTIME_DIR: xdg,
    TMPDIR: root,
  };
  return {
    root,
    service,
    cloud,
    control,
    childEnv,
    async close() {
      await service.dispose();
      await fsp.rm(root, { recursive: true, force: true });
    },
  };
}
