import * as path from "node:path";
import { armIdKey } from "../azure/armIds";
import type { AccessEvent, DeactivationResult, ReactivationControls } from "../access/accessMachine";
import type { Grant } from "../access/grant";
import { GrantStore } from "../access/grantStore";
import { readinessGrantFor } from "../access/readinessGrant";
import { AuditJournal, type AuditFilter } from "../audit/auditJournal";
import { exportAudit } from "../audit/auditExport";
import type { AuditRecord } from "../audit/auditRecord";
import type { AzureContext, CallerIdentity } from "../azure/azureContext";
import { type Clock, systemClock } from "../clock";
import type { CloudEnvironment } from "../cloud";
import { countdownView, type CountdownView } from "../countdown/countdown";
import { KeyStore } from "../credential/keyStore";
import type { VmCredential } from "../credential/materialiseCredential";
import { PasswordStore } from "../credential/passwordStore";
import { JitError, errorMessage } from "../errors";
import { type Inventory, loadInventory, type VmEntry } from "../inventory/loadInventory";
import { PimPolicyCache } from "../inventory/pimPolicyCache";
import { type Logger, nullLogger } from "../logger";
import type { PreflightItem } from "../preflight/checkConnectivity";
import { checkBeforePrivilege } from "../preflight/privilegePreflight";
import type { BrokerServer } from "../broker/brokerServer";
import { deriveHostKeyAlias } from "../ssh/hostAlias";
import { forgetPinnedHostKeys } from "../ssh/knownHosts";
import { sshPaths, type SshPaths } from "../ssh/sshPaths";
import { Emitter } from "../util/emitter";
import { ConnectionProfileStore, type ConnectionProfile } from "./connectionProfiles";
import { ConnectionSetup } from "./connectionSetup";
import { CredentialChoices } from "./credentialChoices";
import { openConnection } from "./connectFlow";
import { GrantCountdown } from "./grantCountdown";
import { InventoryView } from "./inventoryView";
import { recogniseAccess } from "./accessRecognition";
import { loadOrRefuse } from "./signInRefusal";
import { sshLoginProbe } from "./sshProbe";
import { startPortForward } from "./portForward";
import { type ActiveForward, PortForwards } from "./activeForwards";
import { closeSession, openSession, resumeInBackground, type SignedInSession } from "./serviceSession";
import { BrokerHost } from "./serviceBroker";
import { connectivityReport, startVm } from "./vmOperations";
import { EntraLogin } from "./entraConnect";
import { LoginMethodStore } from "../entraSsh/loginMethod";
import type { ConnectionInfo, ConnectStep, JitConnectServiceOptions, ServiceSettings } from "./serviceTypes";
import type { SshInvocation } from "./sshInvocation";

export type { ConnectionInfo, ConnectStep, JitConnectServiceOptions, ServiceSettings } from "./serviceTypes";

/**
 * The facade the VS Code layer uses: sign-in, the eligible-VM inventory, the access flow (request,
 * extend, deactivate, cancel), the connection (credential, SSH config, broker for the tunnel), the
 * countdown and the access journal. No `vscode` here: every UI decision is a port in the options.
 */
export class JitConnectService {
  private session: SignedInSession | undefined;
  private readonly broker: BrokerHost;
  private readonly ticker: GrantCountdown;
  private options: JitConnectServiceOptions;
  private readonly inventories: InventoryView;
  private readonly policyCache = new PimPolicyCache();
  /** The port forwards this window runs, per VM (listed in the tree); they end with their VM's access. */
  readonly forwards = new PortForwards({ now: () => this.localClock.now(), log: (line) => this.logger.info(line) });
  private readonly disposers: (() => void)[] = [];
  private readonly logger: Logger;
  private readonly localClock: Clock;
  private readonly connections: ConnectionSetup;
  /** Microsoft Entra ID login: login method per VM, certificates and their renewal. */
  readonly entra: EntraLogin;
  /** Choose Credential: the Key Vault secret remembered per VM, and the vault and secret listings. */
  readonly credentials: CredentialChoices;

  private readonly inventoryChanged = new Emitter<Inventory>();
  private readonly accessChanged = new Emitter<AccessEvent>();
  private readonly countdownChanged = new Emitter<CountdownView<Grant> | undefined>();
  private readonly expiryWarning = new Emitter<{ grant: Grant; minutesLeft: number }>();
  private readonly grantsExpired = new Emitter<Grant[]>();

  readonly onDidChangeInventory = this.inventoryChanged.event;
  readonly onDidChangeAccess = this.accessChanged.event;
  readonly onDidChangeCountdown = this.countdownChanged.event;
  readonly onExpiryWarning = this.expiryWarning.event;
  readonly onDidExpire = this.grantsExpired.event;

  private constructor(
    options: JitConnectServiceOptions,
    readonly grants: GrantStore,
    readonly journal: AuditJournal,
    readonly profiles: ConnectionProfileStore,
    readonly paths: SshPaths,
    private readonly passwords: PasswordStore,
    private readonly keys: KeyStore,
    methods: LoginMethodStore,
  ) {
    this.options = { ...options };
    this.logger = options.logger ?? nullLogger;
    this.localClock = options.localClock ?? systemClock;
    this.inventories = new InventoryView(options.filter);
    this.broker = new BrokerHost({ services: this, logger: this.logger, runtimeDir: options.brokerRuntimeDir });
    this.ticker = new GrantCountdown({
      grants,
      onTick: (view) => this.countdownChanged.fire(view),
      onNotify: (grant, minutesLeft) => this.expiryWarning.fire({ grant, minutesLeft }),
      onExpired: () => void this.expireGrants(),
    });
    const { tunnelProgram, credentialChoices, cloud, confirmUserConfigEdit } = options;
    const sshPath = (): string => this.options.sshPath ?? "ssh";
    const reissueCertificate = (ctx: AzureContext, p: ConnectionProfile, g: Grant, s?: AbortSignal): Promise<unknown> => this.entra.reissue(ctx, p, g, s);
    this.connections = new ConnectionSetup({ paths, profiles, keys, passwords, logger: this.logger, tunnelProgram, credentialChoices, cloud, sshPath, confirmUserConfigEdit, reissueCertificate });
    this.credentials = new CredentialChoices({
      ctx: () => this.requireSession().ctx,
      vm: (id) => this.requireVm(id),
      connections: this.connections,
      useResourceGraph: () => this.options.useResourceGraph ?? true,
      subscriptionsOfTenant: (tenantId) => this.inventories.subscriptionsOfTenant(tenantId),
    });
    this.entra = new EntraLogin({ credential: options.credential, keys, methods, logger: this.logger, localClock: this.localClock, preference: () => this.options.loginMethod ?? "entraIdWhenAvailable" });
  }

  /** Opens the local stores and removes what a crash left behind. Makes no Azure call. */
  static async create(options: JitConnectServiceOptions): Promise<JitConnectService> {
    const logger = options.logger ?? nullLogger;
    const clock = options.localClock ?? systemClock;
    const paths = sshPaths({ home: options.home, userConfigFile: options.userSshConfigFile });
    const [grants, journal, profiles, methods] = await Promise.all([
      GrantStore.open(path.join(options.storageDir, "grants.json"), { logger }),
      AuditJournal.open(path.join(options.storageDir, "audit"), { logger }),
      ConnectionProfileStore.open(path.join(options.storageDir, "profiles.json"), logger),
      LoginMethodStore.open(options.storageDir, logger),
    ]);
    const keys = new KeyStore({ dir: paths.keysDir, clock, logger });
    const service = new JitConnectService(options, grants, journal, profiles, paths, new PasswordStore(clock), keys, methods);
    // Keys a crash left behind: keep only those of VMs with a grant still running.
    await keys.sweep((key) => {
      const profile = profiles.get(key.alias);
      return profile !== undefined && service.activeGrant(profile.vmId) !== undefined;
    });
    return service;
  }

  // ---- Sign-in ----

  get signedIn(): boolean { return this.session !== undefined; }

  get caller(): CallerIdentity | undefined { return this.session?.identity; }

  get cloud(): CloudEnvironment { return this.options.cloud; }

  /**
   * Signs in: gets a token for the home tenant (this is when the user sees a device code or a
   * Conditional Access refusal), resumes pending approvals and starts the countdown and the broker.
   */
  async signIn(signal?: AbortSignal): Promise<CallerIdentity> {
    const input = this.entra.rememberingInput(this.options.accessInput);
    const session = await openSession({ ...this.options, accessInput: input }, { grants: this.grants, journal: this.journal, logger: this.logger, localClock: this.localClock, policyCache: this.policyCache }, signal);
    const { ctx, identity, machine } = session;
    this.session = session;
    this.disposers.push(machine.onDidChange((e) => this.onAccessEvent(e)), () => machine.dispose());
    this.ticker.start(ctx.clock, this.options.notificationMarksMin);
    // Keys end with their grant, at Azure's end time: compare with Azure's clock, not the local one.
    this.keys.followAzureClock(() => ctx.clock.now());
    void this.ensureBroker().catch((e: unknown) => this.logger.error(`The tunnel broker did not start: ${errorMessage(e)}`));
    resumeInBackground(machine, this.logger);
    this.logger.info(`Signed in as ${identity.upn ?? identity.principalId} (tenant ${identity.tenantId}) to ${this.options.cloud.name}`);
    return identity;
  }

  /** Forgets the session: credentials are removed from disk and memory; grants stay in Azure. */
  async signOut(): Promise<void> {
    this.ticker.stop();
    this.forwards.stopAll();
    await this.connections.removeAllCredentials();
    this.keys.followAzureClock(undefined);
    closeSession(this.session);
    this.session = undefined;
    this.inventories.clear();
    this.countdownChanged.fire(undefined);
  }

  /**
   * Applies changed settings. A new filter is applied at once to the inventory already loaded (no
   * Azure call); new expiry warning marks restart the countdown; the rest apply from the next call.
   */
  configure(settings: ServiceSettings): void {
    const marksChanged = "notificationMarksMin" in settings && (settings.notificationMarksMin ?? []).join() !== (this.options.notificationMarksMin ?? []).join();
    this.options = { ...this.options, ...settings };
    const refiltered = "filter" in settings ? this.inventories.setFilter(settings.filter) : undefined;
    if (refiltered) this.inventoryChanged.fire(refiltered);
    if (marksChanged && this.session) this.ticker.start(this.session.ctx.clock, this.options.notificationMarksMin);
  }

  /** Every tenant and subscription of the last inventory, whatever the filter (for the filter picker). */
  availableScopes(): Pick<Inventory, "tenants" | "subscriptions"> | undefined {
    return this.inventories.availableScopes();
  }

  private requireSession(): SignedInSession {
    if (!this.session) throw new JitError("NotSignedIn", "Not signed in to Azure. Run “Azure JIT: Sign In” first.");
    return this.session;
  }

  // ---- Inventory ----

  get inventory(): Inventory | undefined { return this.inventories.current; }

  /** Reloads the eligible VMs and their readiness. */
  async refreshInventory(signal?: AbortSignal): Promise<Inventory> {
    const ctx = this.requireSession().ctx;
    const readStartedAt = ctx.clock.now();
    const grantFor = (vmId: string): ReturnType<typeof readinessGrantFor> => readinessGrantFor(this.grants, vmId, ctx.clock.now());
    const rememberedCredential = (vmId: string): ReturnType<ConnectionSetup["rememberedFor"]> => this.connections.rememberedFor(vmId);
    const inventory = await loadOrRefuse(() => loadInventory(ctx, { useResourceGraph: this.options.useResourceGraph ?? true, grantFor, rememberedCredential, policyCache: this.policyCache }, signal));
    const connections = { dropCredential: (id: string) => this.accessEnded(id), extendCredential: (id: string, endsAt: number) => this.connections.extendCredential(id, endsAt) };
    await recogniseAccess({ grants: this.grants, connections, logger: this.logger, refreshCountdown: () => this.ticker.refresh() }, inventory, ctx.clock.now(), readStartedAt);
    this.requireSession().machine.restoreReactivations(inventory.vms);
    const filtered = this.inventories.update(inventory);
    this.inventoryChanged.fire(filtered);
    return filtered;
  }

  vm(vmIdOrAlias: string): VmEntry | undefined { return this.inventories.find(vmIdOrAlias); }

  private requireVm(vmId: string): VmEntry {
    const vm = this.vm(vmId);
    if (!vm) throw new JitError("VmNotFound", `The VM ${vmId} is not in the list of VMs you are eligible for. Refresh the list.`);
    return vm;
  }

  // ---- Access ----

  /** Grants currently running (not expired on Azure's clock). */
  activeGrants(): Grant[] {
    const now = this.now();
    return this.grants.grants().filter((g) => g.expiresAt > now);
  }

  activeGrant(vmId: string): Grant | undefined {
    const key = armIdKey(vmId);
    return this.activeGrants().find((g) => armIdKey(g.vmId) === key);
  }

  /** PIM activation then JIT, as the role's policy requires; reuses what is already active. */
  async requestAccess(vmId: string, signal?: AbortSignal): Promise<Grant> {
    const vm = this.requireVm(vmId);
    await checkBeforePrivilege(this.requireSession().ctx, vm, "request", signal);
    const grant = await this.requireSession().machine.requestAccess(vm, { keepPendingOnCancel: false }, signal);
    this.ticker.refresh();
    return grant;
  }

  async extend(vmId: string, signal?: AbortSignal): Promise<Grant> {
    const vm = this.requireVm(vmId);
    const grant = await this.requireSession().machine.extend(vm, signal);
    await this.connections.extendCredential(vm.id, grant.expiresAt);
    this.ticker.refresh();
    return grant;
  }

  /** Ends the role early and removes the VM's credential from this machine. */
  async deactivate(vmId: string, signal?: AbortSignal): Promise<DeactivationResult> {
    const target = this.vm(vmId) ?? vmId;
    const result = await this.requireSession().machine.deactivate(target, signal);
    await this.accessEnded(typeof target === "string" ? target : target.id);
    this.ticker.refresh();
    return result;
  }

  /** Stops an access request in flight (withdraws a pending PIM request). */
  cancel(vmId: string): Promise<boolean> { return this.requireSession().machine.cancel(vmId); }

  /** "Activate again when it ends" (core/access/reactivation.ts): plan, cancel, read, listen. */
  get reactivation(): ReactivationControls { return this.requireSession().machine; }

  /** The access state of one VM, as the store knows it. */
  accessState(vmId: string): AccessEvent["state"] { return this.grants.get(vmId)?.state ?? { kind: "idle" }; }

  // ---- Connection ----

  /**
   * Makes a VM connectable: access (if needed), credential and SSH config. The steps that do not
   * depend on each other overlap: the Key Vault read and the SSH config are done while PIM and JIT
   * are still running, so a connection costs the access flow plus little else.
   */
  async connect(vmId: string, signal?: AbortSignal, step: ConnectStep = () => undefined): Promise<ConnectionInfo> {
    const { ctx, machine } = this.requireSession();
    const deps = { ctx, connections: this.connections, profiles: this.profiles, journal: this.journal, paths: this.paths, accessInput: this.options.accessInput, entra: this.entra, subscriptionIds: () => this.inventories.subscriptionsOfTenant(this.vm(vmId)?.tenantId) };
    const access = { activeGrant: (id: string) => this.activeGrant(id), requestAccess: (id: string, s?: AbortSignal) => this.requestAccess(id, s), setAlias: (id: string, alias: string) => machine.setAlias(id, alias), onAccessEvent: this.onDidChangeAccess };
    return openConnection({ ...deps, ...access, ensureBroker: () => this.ensureBroker() }, this.requireVm(vmId), signal, step);
  }

  /** The ssh command for a VM that has been connected before (terminal, copy, port forwarding). */
  sshFor(profile: ConnectionProfile, extraArgs: readonly string[] = []): SshInvocation {
    return this.connections.sshFor(profile, extraArgs);
  }

  /** After an ssh to the VM failed: one real sign-in attempt, its failure as cause + next action (sshProbe.ts). */
  diagnoseSsh(profile: ConnectionProfile, vmName: string, signal?: AbortSignal): Promise<PreflightItem> { return sshLoginProbe(this.sshFor(profile), vmName, signal); }

  /**
   * Forwards a local port to a port on the VM through SSH over the Bastion tunnel (connecting
   * first). A remote port of the VM already forwarded is not forwarded twice: that forward comes back, `reused`.
   */
  forwardPort(vmId: string, remotePort: number, localPort: number | undefined, signal?: AbortSignal, step?: ConnectStep): Promise<{ forward: ActiveForward; reused: boolean }> {
    const vm = this.requireVm(vmId);
    return this.forwards.open({ vmId: vm.id, vmName: vm.name, remotePort }, async (s) => {
      const info = await this.connect(vm.id, s, step);
      return startPortForward({ ssh: info.ssh, alias: info.alias, remotePort, localPort, logger: this.logger }, s);
    }, signal);
  }

  /** Removes our SSH config, the Include block, the keys and the profiles. */
  removeSshConfiguration(options: { forgetHostKeys?: boolean } = {}): Promise<void> { return this.connections.removeAll(options); }

  async forgetHostKey(vmId: string): Promise<number> { return forgetPinnedHostKeys(this.paths.knownHostsFile, deriveHostKeyAlias(vmId)); }

  /** Makes the credential of a profile available again (after a restart removed it). */
  async ensureCredential(profile: ConnectionProfile, grant: Grant, signal?: AbortSignal): Promise<VmCredential | undefined> {
    return this.connections.ensureCredential(this.requireSession().ctx, profile, grant, signal);
  }

  /** Starts the broker the tunnel asks for Bastion sessions (idempotent). */
  ensureBroker(): Promise<BrokerServer> {
    return this.broker.ensure();
  }

  /** For the broker: the context, when signed in. */
  azureContext(): AzureContext | undefined { return this.session?.ctx; }

  /** For the broker: the password of a password VM (in memory only). */
  password(alias: string): string | undefined {
    return this.passwords.get(alias);
  }

  // ---- Diagnostics, VM power, history ----

  /** Every check for one VM, in the order a user fixes them. */
  checkConnectivity(vmId: string, signal?: AbortSignal): Promise<PreflightItem[]> {
    const profile = this.activeGrant(vmId) ? this.profiles.forVm(vmId) : undefined;
    return connectivityReport(this.requireSession().ctx, this.requireVm(vmId), { connections: this.connections, sshPath: this.options.sshPath ?? "ssh", brokerPath: this.broker.path, probe: profile && this.sshFor(profile) }, signal);
  }

  /** Starts a stopped VM (needs a role that allows Microsoft.Compute/virtualMachines/start/action). */
  startVm(vmId: string, signal?: AbortSignal): Promise<void> {
    return startVm(this.requireSession().ctx, this.requireVm(vmId), signal);
  }

  history(filter?: AuditFilter): Promise<AuditRecord[]> { return this.journal.read(filter); }

  async exportHistory(format: "json" | "csv", filter?: AuditFilter): Promise<string> {
    return exportAudit(await this.journal.read(filter), format);
  }

  // ---- Countdown and events ----

  /** Azure's time when signed in (expiries are decided on it), else ours. */
  private now(): number { return this.session?.ctx.clock.now() ?? this.localClock.now(); }

  countdown(): CountdownView<Grant> | undefined {
    return countdownView(this.activeGrants(), this.now());
  }

  private async expireGrants(): Promise<void> {
    const expired = (await this.session?.machine.checkExpiry()) ?? [];
    for (const g of expired) await this.accessEnded(g.vmId);
    if (expired.length > 0) {
      this.logger.info(`Access expired: ${expired.map((g) => g.vmName).join(", ")}`);
      this.grantsExpired.fire(expired);
      this.ticker.refresh();
    }
  }

  /** A VM's access ended (expired, deactivated here, or ended in Azure): its port forwards stop and its credential goes. */
  private async accessEnded(vmId: string): Promise<void> {
    if (this.forwards.stopVm(vmId) > 0) this.logger.info(`Stopping the port forwards of ${vmId}: its access ended.`);
    await this.connections.dropCredential(vmId);
  }

  private onAccessEvent(e: AccessEvent): void {
    this.accessChanged.fire(e);
    if (e.state.kind === "granted" || e.state.kind === "expired" || e.state.kind === "idle") this.ticker.refresh();
  }

  async dispose(): Promise<void> {
    this.ticker.stop();
    this.entra.dispose();
    for (const d of this.disposers) d();
    this.forwards.stopAll();
    this.forwards.dispose();
    await this.broker.close();
    // Passwords leave with the extension host; keys stay only while their grant runs (another
    // window may use them), see releaseCredentialsAtShutdown.
    await this.connections.releaseCredentialsAtShutdown();
    await this.grants.flush();
    for (const e of [this.inventoryChanged, this.accessChanged, this.countdownChanged, this.expiryWarning, this.grantsExpired]) e.dispose();
  }
}
