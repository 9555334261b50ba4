import * as os from "node:os";
import * as vscode from "vscode";
import type { AccessInputProvider } from "../core/access/accessInput";
import type { AccessEvent } from "../core/access/accessMachine";
import type { Grant } from "../core/access/grant";
import type { StepUpHandler } from "../core/azure/stepUp";
import { resolveCloud } from "../core/cloud";
import type { CountdownView } from "../core/countdown/countdown";
import type { Inventory } from "../core/inventory/loadInventory";
import type { Logger } from "../core/logger";
import type { ForwardsChange } from "../core/service/activeForwards";
import { JitConnectService, type ServiceSettings } from "../core/service/jitConnectService";
import type { TunnelProgram } from "../core/ssh/hostsFile";
import type { SwitchableCredential } from "./auth/switchableCredential";
import type { JitConfig } from "./config";
import type { GlobalStateCredentialChoices } from "./credentialChoices";
import { remoteSshConfigFile } from "./remote/remoteSshExtensions";
import { installTunnelProgram } from "./tunnelInstall";

export interface ServiceHostDeps {
  context: vscode.ExtensionContext;
  logger: Logger;
  config: () => JitConfig;
  credential: SwitchableCredential;
  stepUpHandler: StepUpHandler;
  accessInput: AccessInputProvider;
  confirmUserConfigEdit: (file: string) => Promise<boolean>;
  credentialChoices: GlobalStateCredentialChoices;
}

/** The settings a running service follows without being rebuilt. */
export function serviceSettingsOf(config: JitConfig): ServiceSettings {
  return {
    filter: { tenants: config.filter.tenants, subscriptions: config.filter.subscriptions },
    useResourceGraph: config.useResourceGraph,
    sshPath: config.ssh.path,
    notificationMarksMin: config.expiryWarningMinutes,
    loginMethod: config.connect.loginMethod,
  };
}

/**
 * Owns the window's `JitConnectService`: creates it on first use (no Azure call: it opens the local
 * stores), rebuilds it when the cloud or the SSH config file changes, and re-announces its events
 * through VS Code emitters that outlive any one instance, so the tree and the status bar subscribe
 * once.
 */
export class ServiceHost implements vscode.Disposable {
  private creating: Promise<JitConnectService> | undefined;
  private instance: JitConnectService | undefined;
  private tunnel: Promise<TunnelProgram> | undefined;
  private unsubscribe: (() => void)[] = [];

  private readonly inventoryEmitter = new vscode.EventEmitter<Inventory>();
  private readonly accessEmitter = new vscode.EventEmitter<AccessEvent>();
  private readonly countdownEmitter = new vscode.EventEmitter<CountdownView<Grant> | undefined>();
  private readonly warningEmitter = new vscode.EventEmitter<{ grant: Grant; minutesLeft: number }>();
  private readonly expiredEmitter = new vscode.EventEmitter<Grant[]>();
  private readonly replacedEmitter = new vscode.EventEmitter<JitConnectService | undefined>();
  private readonly forwardsEmitter = new vscode.EventEmitter<ForwardsChange>();

  readonly onDidChangeInventory = this.inventoryEmitter.event;
  readonly onDidChangeAccess = this.accessEmitter.event;
  readonly onDidChangeCountdown = this.countdownEmitter.event;
  readonly onExpiryWarning = this.warningEmitter.event;
  readonly onDidExpire = this.expiredEmitter.event;
  /** A VM's port forwards changed (one started, exited or was stopped). */
  readonly onDidChangeForwards = this.forwardsEmitter.event;
  /** A new service replaced the previous one (or none is there any more): views start over. */
  readonly onDidReplace = this.replacedEmitter.event;

  constructor(private readonly deps: ServiceHostDeps) {}

  /** The service, created on first use. A failed creation (a bad setting) is retried on the next call. */
  get(): Promise<JitConnectService> {
    if (!this.creating) {
      const creating = this.create();
      this.creating = creating;
      creating.catch(() => {
        if (this.creating === creating) this.creating = undefined;
      });
    }
    return this.creating;
  }

  /** The service if it exists already (synchronous views: tree, status bar). */
  get current(): JitConnectService | undefined {
    return this.instance;
  }

  /** The service when it is signed in, else undefined. */
  get signedIn(): JitConnectService | undefined {
    return this.instance?.signedIn ? this.instance : undefined;
  }

  /** Applies settings that do not need a new service. */
  configure(config: JitConfig): void {
    this.instance?.configure(serviceSettingsOf(config));
  }

  /** Disposes the service (keys removed, broker closed) and forgets it; the next `get()` builds a new one. */
  async reset(): Promise<void> {
    const old = this.instance;
    const pending = this.creating;
    this.instance = undefined;
    this.creating = undefined;
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    const service = old ?? (await pending?.catch(() => undefined));
    await service?.dispose();
    this.replacedEmitter.fire(undefined);
  }

  private async create(): Promise<JitConnectService> {
    const { context, logger } = this.deps;
    const config = this.deps.config();
    const cloud = resolveCloud(config.cloud, config.customCloud);
    this.tunnel ??= installTunnelProgram(context.extensionUri.fsPath, context.globalStorageUri.fsPath, logger);
    const tunnelProgram = await this.tunnel.catch((e: unknown) => {
      this.tunnel = undefined;
      throw e;
    });
    const service = await JitConnectService.create({
      cloud,
      credential: this.deps.credential,
      stepUpHandler: this.deps.stepUpHandler,
      accessInput: this.deps.accessInput,
      storageDir: context.globalStorageUri.fsPath,
      home: os.homedir(),
      userSshConfigFile: config.ssh.configFile || remoteSshConfigFile(),
      confirmUserConfigEdit: this.deps.confirmUserConfigEdit,
      tunnelProgram,
      credentialChoices: this.deps.credentialChoices,
      logger,
      ...serviceSettingsOf(config),
    });
    await service.credentials.loadRemembered(this.deps.credentialChoices.vmIds());
    this.unsubscribe = [
      service.onDidChangeInventory((i) => this.inventoryEmitter.fire(i)),
      service.onDidChangeAccess((e) => this.accessEmitter.fire(e)),
      service.onDidChangeCountdown((v) => this.countdownEmitter.fire(v)),
      service.onExpiryWarning((w) => this.warningEmitter.fire(w)),
      service.onDidExpire((g) => this.expiredEmitter.fire(g)),
      service.forwards.onDidChange((c) => this.forwardsEmitter.fire(c)),
    ];
    this.instance = service;
    logger.info(`Ready for ${cloud.name}: storage ${context.globalStorageUri.fsPath}, SSH config ${service.paths.configFile}`);
    this.replacedEmitter.fire(service);
    return service;
  }

  /** Ends the service (on deactivation): awaited, so keys are gone before the host exits. */
  async shutdown(): Promise<void> {
    await this.reset();
  }

  dispose(): void {
    void this.reset();
    for (const e of [this.inventoryEmitter, this.accessEmitter, this.countdownEmitter, this.warningEmitter, this.expiredEmitter, this.replacedEmitter, this.forwardsEmitter]) e.dispose();
  }
}
