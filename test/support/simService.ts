/**
 * A signed-in JitConnectService on a test simulator, as the extension builds it (real SDKs, real
 * tunnel program, private folders under `root`): the set-up the service suites share.
 */
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import type { AccessInputProvider } from "../../src/core/access/accessInput";
import { MemoryCredentialChoiceStore } from "../../src/core/credential/credentialSource";
import type { Logger } from "../../src/core/logger";
import { JitConnectService } from "../../src/core/service/jitConnectService";
import { memoryLogger, productCredential, simCloud } from "../core/access/support/simContext";
import { tunnelProgram } from "../tunnel/support/tunnelWorld";
import type { TestSimulator } from "./simulator";

export interface SimServiceOptions {
  /** The signed-in user (UPN of the scenario). */
  user: string;
  /** A private temporary folder: storage, home and the broker's runtime folder go below it. */
  root: string;
  /** What the user answers in the request form; default: a justification and at most one hour. */
  accessInput?: AccessInputProvider;
  logger?: Logger;
}

/** The broker's runtime folder for a root (children that talk to the broker need it as XDG_RUNTIME_DIR). */
export function runtimeDirOf(root: string): string {
  return path.join(root, "xdg");
}

export async function startSimService(t: TestSimulator, options: SimServiceOptions): Promise<JitConnectService> {
  const xdg = runtimeDirOf(options.root);
  await fsp.mkdir(xdg, { recursive: true, mode: 0o700 });
  const service = await JitConnectService.create({
    cloud: simCloud(t),
    credential: await productCredential(t, options.user),
    accessInput: options.accessInput ?? (async (request) => ({ justification: "service test", durationMs: Math.min(60 * 60_000, request.maxDurationMs) })),
    storageDir: path.join(options.root, "storage"),
    home: path.join(options.root, "home"),
    tunnelProgram: { nodePath: process.execPath, tunnelScript: await tunnelProgram(), viaLauncher: false },
    credentialChoices: new MemoryCredentialChoiceStore(),
    confirmUserConfigEdit: async () => true,
    logger: options.logger ?? memoryLogger(),
    brokerRuntimeDir: path.join(xdg, "azure-jit-connect"),
  });
  await service.signIn();
  await service.refreshInventory();
  return service;
}
