import type { TokenCredential } from "@azure/core-auth";
import * as path from "node:path";
import { AccessMachine, type AccessEvent, type DeactivationResult } from "../access/accessMachine";
import type { AccessInputProvider } from "../access/accessInput";
import type { Grant } from "../access/grant";
import { grantKey } from "../access/grant";
import { GrantStore } from "../access/grantStore";
import { readinessGrantFor } from "../access/readinessGrant";
import { AuditJournal, type AuditFilter } from "../audit/auditJournal";
import { exportAudit } from "../audit/auditExport";
import type { AuditRecord } from "../audit/auditRecord";
import { armIdKey } from "../azure/armIds";
import { callAzure, createAzureContext, getCallerIdentity, type AzureContext, type CallerIdentity } from "../azure/azureContext";
import { createSecretReader } from "../azure/secretReader";
import type { StepUpHandler } from "../azure/stepUp";
import { isCancellation, throwIfAborted } from "../cancellation";
import { type Clock, systemClock } from "../clock";
import type { CloudEnvironment } from "../cloud";
import { countdownView, type CountdownView } from "../countdown/countdown";
import { CountdownTicker } from "../countdown/countdownTicker";
import { NOTIFICATION_MARKS_MIN } from "../countdown/notifications";
import { credentialSourceFor, rememberCredentialChoice, type CredentialChoiceStore, type RememberedCredential } from "../credential/credentialSource";
import { KeyStore } from "../credential/keyStore";
import { materialiseCredential, type VmCredential } from "../credential/materialiseCredential";
import { PasswordStore } from "../credential/passwordStore";
import type { SecretReader } from "../credential/secretReader";
import { JitError, errorMessage } from "../errors";
import { writeFileAtomic } from "../fs/privateFiles";
import type { Inventory, VmEntry } from "../inventory/loadInventory";
import { loadInventory } from "../inventory/loadInventory";
import { PimPolicyCache } from "../inventory/pimPolicyCache";
import { type Logger, nullLogger } from "../logger";
import { checkConnectivity, type PreflightItem } from "../preflight/checkConnectivity";
import { findSshClient } from "../preflight/sshClient";
import { startBrokerServer, type BrokerServer } from "../broker/brokerServer";
import { checkSshConfig } from "../ssh/configCheck";
import { deriveHostAlias, deriveHostKeyAlias } from "../ssh/hostAlias";
import { hostBlockOptionsFor, writeSshHosts, type TunnelProgram } from "../ssh/hostsFile";
import { forgetPinnedHostKeys } from "../ssh/knownHosts";
import type { SshHostEntry } from "../ssh/renderHostBlock";
import { removeSshConfig } from "../ssh/sshConfigSetup";
import { sshPaths, type SshPaths } from "../ssh/sshPaths";
import { inspectIncludeBlock, installIncludeBlock } from "../ssh/userConfigFile";
import { Emitter } from "../util/emitter";
import { ConnectionProfileStore, type ConnectionProfile } from "./connectionProfiles";
import { askpassLauncherName, renderAskpassLauncher, sshInvocation, type SshInvocation } from "./sshInvocation";
import { startPortForward, type PortForward } from "./portForward";
import { ServiceBrokerHandler } from "./serviceBroker";
import type { BastionSku } from "../bastion/bastionSession";

export interface JitConnectServiceOptions {
  cloud: CloudEnvironment;
  /** The signed-in identity (VS Code's Microsoft account, device code, Azure CLI or a service principal). */
  credential: TokenCredential;
  /** Asks the user to sign in again with the claims a service requested (MFA, authentication context). */
  stepUpHandler?: StepUpHandler;
  /** Asks the user for what a role's policy requires (justification, ticket, duration). */
  accessInput: AccessInputProvider;
  /** The extension's private storage folder: grants, profiles, the access journal. */
  storageDir: string;
  /** The user's home folder (a temporary one in tests). */
  home: string;
  /** The SSH config file that gets our Include block (remote.SSH.configFile or ~/.ssh/config). */
  userSshConfigFile?: string;
  /** Asked once before the Include block is added to the user's SSH config; false = only our own file. */
  confirmUserConfigEdit?: (file: string) => Promise<boolean>;
  sshPath?: string;
  tunnelProgram: TunnelProgram;
  credentialChoices: CredentialChoiceStore;
  logger?: Logger;
  localClock?: Clock;
  useResourceGraph?: boolean;
  /** Only these tenants / subscriptions (ids); empty = all the account can see. */
  filter?: { tenants?: readonly string[]; subscriptions?: readonly string[] };
  notificationMarksMin?: readonly number[];
  /** Broker socket folder (tests run several services in one process). */
  brokerRuntimeDir?: string;
}

/**
 * The options a running service takes again when the user changes settings, without signing out:
 * the next inventory (or, for the filter, the one already loaded) follows them.
 */
export type ServiceSettings = Partial<Pick<JitConnectServiceOptions, "filter" | "useResourceGraph" | "sshPath" | "notificationMarksMin">>;

/** Everything a connection needs, after access, credential and SSH config are ready. */
export interface ConnectionInfo {
  alias: string;
  vmName: string;
  grant: Grant;
  auth: "key" | "password";
  /** Our generated SSH config. */
  configFile: string;
  /** The user's SSH config has our Include block (Remote-SSH needs it). */
  includeInstalled: boolean;
  userConfigFile: string;
  ssh: SshInvocation;
}

export type ConnectStep = (message: string) => void;

/**
 * The facade the VS Code layer uses: sign-in, the eligible-VM inventory, the access flow (request,
 * extend, deactivate, cancel), the connection (credential, SSH config, broker for the tunnel), the
 * countdown and the access journal. No `vscode` here: every UI decision is a port in the options.
 */
export class JitConnectService {
  private ctx: AzureContext | undefined;
  private machine: AccessMachine | undefined;
  private identity: CallerIdentity | undefined;
  private broker: BrokerServer | undefined;
  private brokerStarting: Promise<BrokerServer> | undefined;
  private ticker: CountdownTicker<Grant> | undefined;
  private currentInventory: Inventory | undefined;
  /** The last inventory before the tenant/subscription filter (the filter picker lists from it). */
  private unfilteredInventory: Inventory | undefined;
  private options: JitConnectServiceOptions;
  private readonly policyCache = new PimPolicyCache();
  private readonly remembered = new Map<string, RememberedCredential>();
  private readonly forwards = new Set<PortForward>();
  private readonly disposers: (() => void)[] = [];
  private readonly logger: Logger;
  private readonly localClock: Clock;
  readonly paths: SshPaths;

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
    private readonly keys: KeyStore,
    private readonly passwords: PasswordStore,
  ) {
    this.options = { ...options };
    this.logger = options.logger ?? nullLogger;
    this.localClock = options.localClock ?? systemClock;
    this.paths = sshPaths({ home: options.home, userConfigFile: options.userSshConfigFile });
  }

  /** Opens the local stores and removes what a crash left behind. Makes no Azure call. */
  static async create(options: JitConnectServiceOptions): Promise<JitConnectService> {
    const logger = options.logger ?? nullLogger;
    const clock = options.localClock ?? systemClock;
    const paths = sshPaths({ home: options.home, userConfigFile: options.userSshConfigFile });
    const [grants, journal, profiles] = await Promise.all([
      GrantStore.open(path.join(options.storageDir, "grants.json"), { logger }),
      AuditJournal.open(path.join(options.storageDir, "audit"), { logger }),
      ConnectionProfileStore.open(path.join(options.storageDir, "profiles.json"), logger),
    ]);
    const keys = new KeyStore({ dir: paths.keysDir, clock, logger });
    const service = new JitConnectService(options, grants, journal, profiles, keys, new PasswordStore(clock));
    // Keys a crash left behind: keep only those of VMs with a grant still running.
    await keys.sweep((key) => service.activeGrantForAlias(key.alias) !== undefined);
    return service;
  }

  // ----------------------------------------------------------------------------------------------
  // Sign-in

  get signedIn(): boolean {
    return this.ctx !== undefined;
  }

  get caller(): CallerIdentity | undefined {
    return this.identity;
  }

  get cloud(): CloudEnvironment {
    return this.options.cloud;
  }

  /**
   * Signs in: gets a token for the home tenant (this is when the user sees a device code or a
   * Conditional Access refusal), resumes pending approvals and starts the countdown and the broker.
   */
  async signIn(signal?: AbortSignal): Promise<CallerIdentity> {
    const ctx = await createAzureContext({
      cloud: this.options.cloud,
      credential: this.options.credential,
      stepUpHandler: this.options.stepUpHandler,
      logger: this.logger,
      localClock: this.localClock,
    });
    const identity = await getCallerIdentity(ctx, undefined, signal);
    this.ctx = ctx;
    this.identity = identity;
    const machine = new AccessMachine({ ctx, store: this.grants, input: this.options.accessInput, audit: this.journal, localClock: this.localClock });
    this.machine = machine;
    this.disposers.push(machine.onDidChange((e) => this.onAccessEvent(e)));
    this.startTicker(ctx);
    void this.ensureBroker().catch((e: unknown) => this.logger.error(`The tunnel broker did not start: ${errorMessage(e)}`));
    void machine.resumePending().then(
      (outcomes) => {
        for (const o of outcomes) if (o.outcome !== "unchanged") this.logger.info(`Resumed access for ${o.vmName}: ${o.outcome}${o.error ? ` (${o.error.message})` : ""}`);
      },
      (e: unknown) => this.logger.warn(`Could not resume pending access requests: ${errorMessage(e)}`),
    );
    this.logger.info(`Signed in as ${identity.upn ?? identity.principalId} (tenant ${identity.tenantId}) to ${this.options.cloud.name}`);
    return identity;
  }

  /** Forgets the session: credentials are removed from disk and memory; grants stay in Azure. */
  async signOut(): Promise<void> {
    this.ticker?.stop();
    this.ticker = undefined;
    for (const f of this.forwards) f.close();
    await this.keys.removeAll();
    this.passwords.clear();
    this.ctx?.credential.clear();
    this.ctx = undefined;
    this.machine = undefined;
    this.identity = undefined;
    this.currentInventory = undefined;
    this.unfilteredInventory = undefined;
    this.countdownChanged.fire(undefined);
  }

  /**
   * Applies changed settings. A new filter is applied at once to the inventory already loaded (no
   * Azure call); new expiry warning marks restart the countdown; the rest apply from the next call.
   */
  configure(settings: ServiceSettings): void {
    const filterChanged = "filter" in settings && !sameFilter(settings.filter, this.options.filter);
    const marksChanged = "notificationMarksMin" in settings && (settings.notificationMarksMin ?? []).join() !== (this.options.notificationMarksMin ?? []).join();
    this.options = { ...this.options, ...settings };
    if (filterChanged && this.unfilteredInventory) {
      this.currentInventory = applyFilter(this.unfilteredInventory, this.options.filter);
      this.inventoryChanged.fire(this.currentInventory);
    }
    if (marksChanged && this.ctx) this.startTicker(this.ctx);
  }

  /** Every tenant and subscription of the last inventory, whatever the filter (for the filter picker). */
  availableScopes(): Pick<Inventory, "tenants" | "subscriptions"> | undefined {
    const inventory = this.unfilteredInventory;
    return inventory ? { tenants: inventory.tenants, subscriptions: inventory.subscriptions } : undefined;
  }

  private requireCtx(): AzureContext {
    if (!this.ctx) throw new JitError("NotSignedIn", "Not signed in to Azure. Run “Azure JIT: Sign In” first.");
    return this.ctx;
  }

  private requireMachine(): AccessMachine {
    if (!this.machine) throw new JitError("NotSignedIn", "Not signed in to Azure. Run “Azure JIT: Sign In” first.");
    return this.machine;
  }

  // ----------------------------------------------------------------------------------------------
  // Inventory

  get inventory(): Inventory | undefined {
    return this.currentInventory;
  }

  /** Reloads the eligible VMs and their readiness. */
  async refreshInventory(signal?: AbortSignal): Promise<Inventory> {
    const ctx = this.requireCtx();
    const inventory = await loadInventory(
      ctx,
      {
        useResourceGraph: this.options.useResourceGraph ?? true,
        grantFor: (vmId) => readinessGrantFor(this.grants, vmId, ctx.clock.now()),
        rememberedCredential: (vmId) => this.remembered.get(armIdKey(vmId)),
        policyCache: this.policyCache,
      },
      signal,
    );
    const filtered = applyFilter(inventory, this.options.filter);
    this.unfilteredInventory = inventory;
    this.currentInventory = filtered;
    this.inventoryChanged.fire(filtered);
    return filtered;
  }

  /** Loads the remembered credential choices so that the next inventory shows them (call before refresh). */
  async loadRememberedChoices(vmIds: readonly string[]): Promise<void> {
    await Promise.all(
      vmIds.map(async (id) => {
        const choice = await this.options.credentialChoices.get(id.toLowerCase());
        if (choice) this.remembered.set(armIdKey(id), choice);
      }),
    );
  }

  vm(vmIdOrAlias: string): VmEntry | undefined {
    const key = armIdKey(vmIdOrAlias);
    const vms = this.currentInventory?.vms ?? [];
    return vms.find((v) => armIdKey(v.id) === key) ?? vms.find((v) => deriveHostAlias(v) === vmIdOrAlias);
  }

  private requireVm(vmId: string): VmEntry {
    const vm = this.vm(vmId);
    if (!vm) throw new JitError("VmNotFound", `The VM ${vmId} is not in the list of VMs you are eligible for. Refresh the list.`);
    return vm;
  }

  // ----------------------------------------------------------------------------------------------
  // Access

  /** Grants currently running (not expired on Azure's clock). */
  activeGrants(): Grant[] {
    const now = this.ctx?.clock.now() ?? this.localClock.now();
    return this.grants.grants().filter((g) => g.expiresAt > now);
  }

  activeGrant(vmId: string): Grant | undefined {
    const key = armIdKey(vmId);
    return this.activeGrants().find((g) => armIdKey(g.vmId) === key);
  }

  private activeGrantForAlias(alias: string): Grant | undefined {
    const profile = this.profiles.get(alias);
    return profile ? this.activeGrant(profile.vmId) : undefined;
  }

  /** PIM activation then JIT, as the role's policy requires; reuses what is already active. */
  async requestAccess(vmId: string, signal?: AbortSignal): Promise<Grant> {
    const vm = this.requireVm(vmId);
    const grant = await this.requireMachine().requestAccess(vm, { keepPendingOnCancel: false }, signal);
    this.ticker?.refresh();
    return grant;
  }

  async extend(vmId: string, signal?: AbortSignal): Promise<Grant> {
    const vm = this.requireVm(vmId);
    const grant = await this.requireMachine().extend(vm, signal);
    const profile = this.profiles.forVm(vm.id);
    if (profile) {
      await this.keys.extend(profile.alias, grant.expiresAt);
      this.passwords.extend(profile.alias, grant.expiresAt);
    }
    this.ticker?.refresh();
    return grant;
  }

  /** Ends the role early and removes the VM's credential from this machine. */
  async deactivate(vmId: string, signal?: AbortSignal): Promise<DeactivationResult> {
    const target = this.vm(vmId) ?? vmId;
    const result = await this.requireMachine().deactivate(target, signal);
    await this.dropCredential(typeof target === "string" ? target : target.id);
    this.ticker?.refresh();
    return result;
  }

  /** Stops an access request in flight (withdraws a pending PIM request). */
  cancel(vmId: string): Promise<boolean> {
    return this.requireMachine().cancel(vmId);
  }

  /** The access state of one VM, as the store knows it. */
  accessState(vmId: string): AccessEvent["state"] {
    return this.grants.get(vmId)?.state ?? { kind: "idle" };
  }

  // ----------------------------------------------------------------------------------------------
  // Connection

  /**
   * Makes a VM connectable: access (if needed), credential and SSH config. The steps that do not
   * depend on each other overlap: the Key Vault read and the SSH config are done while PIM and JIT
   * are still running, so a connection costs the access flow plus little else.
   */
  async connect(vmId: string, signal?: AbortSignal, step: ConnectStep = () => undefined): Promise<ConnectionInfo> {
    const ctx = this.requireCtx();
    const vm = this.requireVm(vmId);
    const r = vm.readiness;
    if (r.os === "Windows") throw new JitError("VmIsWindows", `${vm.name} runs Windows: SSH is not offered. Use RDP through the Azure portal's Bastion.`);
    if (r.bastion.state !== "ok" || !vm.bastion?.dnsName) {
      throw new JitError(r.bastion.state === "noNativeClient" ? "BastionTunnelingDisabled" : "NoBastion", r.reasons.find((x) => /Bastion/i.test(x)) ?? `No usable Bastion reaches ${vm.name}.`);
    }
    const source = credentialSourceFor(vm, this.remembered.get(armIdKey(vm.id)), ctx.cloud);
    if (source.kind === "invalid") throw source.error;
    if (source.kind === "unknown") {
      throw new JitError("NoCredentialSource", `No SSH credential is known for ${vm.name}: tag the VM with azure-jit-connect.secret (a Key Vault secret URI), or choose a secret with “Azure JIT: Choose Credential”.`, { details: { vmId: vm.id } });
    }
    if (!source.user) throw new JitError("NoCredentialSource", `No login user is known for ${vm.name}: tag the VM with azure-jit-connect.username.`);
    const alias = deriveHostAlias(vm);
    const readSecret = createSecretReader(ctx);

    // Independent of access: start reading the secret and writing the SSH config now.
    const secretRead = readSecret(source.secret.uri, signal).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    let grant = this.activeGrant(vm.id);
    if (!grant) {
      step(`Requesting access to ${vm.name}…`);
      grant = await this.requestAccess(vm.id, signal);
    }
    throwIfAborted(signal);
    step("Fetching the credential from Key Vault…");
    let secret = await secretRead;
    // The secret may have been unreadable only until the role became active (the eligible role can
    // carry the Key Vault data access): read it once more before giving up.
    if (!secret.ok && !isCancellation(secret.error)) secret = await readSecret(source.secret.uri, signal).then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
    if (!secret.ok) throw secret.error;
    const prefetched = secret.value;
    const credential = await materialiseCredential(
      { alias, secret: source.secret, expiresAt: grant.expiresAt },
      { readSecret: async () => prefetched, keyStore: this.keys, passwords: this.passwords, logger: this.logger },
      signal,
    );
    const profile: ConnectionProfile = {
      alias,
      vmId: vm.id,
      vmName: vm.name,
      tenantId: vm.tenantId,
      subscriptionId: vm.subscriptionId,
      resourceGroup: vm.resourceGroup,
      bastion: { id: vm.bastion.id, name: vm.bastion.name, dnsName: vm.bastion.dnsName, sku: (vm.bastion.sku as BastionSku) ?? "Standard" },
      userName: source.user.name,
      secretUri: source.secret.uri.href,
      auth: credential.kind,
      updatedAt: ctx.clock.now(),
    };
    step("Writing the SSH configuration…");
    await this.profiles.put(profile);
    await this.requireMachine().setAlias(vm.id, alias);
    const includeInstalled = await this.writeSshConfig(signal);
    await this.ensureBroker();
    await this.journal.append({ type: "connectionOpened", vmId: vm.id, vmName: vm.name, tenantId: vm.tenantId, subscriptionId: vm.subscriptionId, alias, detail: `SSH configuration ready (${credential.kind} credential)` });
    return {
      alias,
      vmName: vm.name,
      grant,
      auth: credential.kind,
      configFile: this.paths.configFile,
      includeInstalled,
      userConfigFile: this.paths.userConfigFile,
      ssh: this.sshFor(profile),
    };
  }

  /** The ssh command for a VM that has been connected before (terminal, copy, port forwarding). */
  sshFor(profile: ConnectionProfile, extraArgs: readonly string[] = []): SshInvocation {
    return sshInvocation({
      sshPath: this.options.sshPath ?? "ssh",
      paths: this.paths,
      alias: profile.alias,
      auth: profile.auth,
      askpassProgram: path.join(this.paths.dir, askpassLauncherName()),
      extraArgs,
    });
  }

  /** Forwards a local port to a port on the VM through SSH over the Bastion tunnel. */
  async forwardPort(vmId: string, remotePort: number, localPort: number | undefined, signal?: AbortSignal, step?: ConnectStep): Promise<PortForward> {
    const info = await this.connect(vmId, signal, step);
    const forward = await startPortForward({ ssh: info.ssh, alias: info.alias, remotePort, localPort, logger: this.logger }, signal);
    this.forwards.add(forward);
    void forward.exited.then(() => this.forwards.delete(forward));
    return forward;
  }

  activeForwards(): PortForward[] {
    return [...this.forwards];
  }

  /** Writes our SSH config for every profile, and the Include block when the user allows it. */
  private async writeSshConfig(signal?: AbortSignal): Promise<boolean> {
    const entries: SshHostEntry[] = this.profiles.all().map((p) => ({
      vm: { id: p.vmId, name: p.vmName },
      userName: p.userName,
      userField: "the VM's login user",
      auth: p.auth === "key" ? { kind: "key", identityFile: this.keys.pathFor(p.alias) } : { kind: "password" },
    }));
    await writeSshHosts(entries, this.paths, this.options.tunnelProgram, process.platform, signal);
    await writeFileAtomic(path.join(this.paths.dir, askpassLauncherName()), renderAskpassLauncher(this.options.tunnelProgram), { mode: 0o700 });
    const state = await inspectIncludeBlock(this.paths.userConfigFile, this.paths.configFile);
    if (state === "current") return true;
    const allowed = (await this.options.confirmUserConfigEdit?.(this.paths.userConfigFile)) ?? true;
    if (!allowed) return false;
    await installIncludeBlock(this.paths.userConfigFile, this.paths.configFile, {}, signal);
    return true;
  }

  /** Removes our SSH config, the Include block, the keys and the profiles. */
  async removeSshConfiguration(options: { forgetHostKeys?: boolean } = {}): Promise<void> {
    await this.keys.removeAll();
    this.passwords.clear();
    await removeSshConfig(this.paths, options);
    await this.profiles.clear();
  }

  async forgetHostKey(vmId: string): Promise<number> {
    return forgetPinnedHostKeys(this.paths.knownHostsFile, deriveHostKeyAlias(vmId));
  }

  /** Remembers which Key Vault secret (and user) to use for a VM without tags. */
  async rememberCredential(vmId: string, choice: RememberedCredential): Promise<void> {
    const vm = this.requireVm(vmId);
    await rememberCredentialChoice(vm, choice, this.options.credentialChoices, this.options.cloud);
    this.remembered.set(armIdKey(vm.id), { secretUri: choice.secretUri, ...(choice.userName ? { userName: choice.userName } : {}) });
  }

  private async dropCredential(vmId: string): Promise<void> {
    const profile = this.profiles.forVm(vmId);
    if (!profile) return;
    await this.keys.remove(profile.alias);
    this.passwords.delete(profile.alias);
  }

  /** Makes the credential of a profile available again (after a restart removed it). */
  async ensureCredential(profile: ConnectionProfile, grant: Grant, signal?: AbortSignal): Promise<VmCredential | undefined> {
    if (profile.auth === "password" ? this.passwords.has(profile.alias) : await this.keys.has(profile.alias)) return undefined;
    const ctx = this.requireCtx();
    const source = credentialSourceFor({ id: profile.vmId, name: profile.vmName, tags: { "azure-jit-connect.secret": profile.secretUri, "azure-jit-connect.username": profile.userName } }, undefined, ctx.cloud);
    if (source.kind !== "secret") throw source.kind === "invalid" ? source.error : new JitError("NoCredentialSource", `No credential is known for ${profile.vmName}.`);
    return materialiseCredential({ alias: profile.alias, secret: source.secret, expiresAt: grant.expiresAt }, { readSecret: createSecretReader(ctx), keyStore: this.keys, passwords: this.passwords, logger: this.logger }, signal);
  }

  /** Starts the broker the tunnel asks for Bastion sessions (idempotent). */
  async ensureBroker(): Promise<BrokerServer> {
    if (this.broker) return this.broker;
    this.brokerStarting ??= startBrokerServer({
      handler: new ServiceBrokerHandler(this, this.logger),
      logger: this.logger,
      ...(this.options.brokerRuntimeDir ? { runtimeDir: this.options.brokerRuntimeDir } : {}),
    }).then((b) => (this.broker = b));
    return this.brokerStarting;
  }

  /** For the broker: the context, when signed in. */
  azureContext(): AzureContext | undefined {
    return this.ctx;
  }

  /** For the broker: the password of a password VM (in memory only). */
  password(alias: string): string | undefined {
    return this.passwords.get(alias);
  }

  // ----------------------------------------------------------------------------------------------
  // Diagnostics, VM power, history

  /** Every check for one VM, in the order a user fixes them. */
  async checkConnectivity(vmId: string, signal?: AbortSignal): Promise<PreflightItem[]> {
    const ctx = this.requireCtx();
    const vm = this.requireVm(vmId);
    const source = credentialSourceFor(vm, this.remembered.get(armIdKey(vm.id)), ctx.cloud);
    const readSecret: SecretReader = createSecretReader(ctx);
    const sshPath = this.options.sshPath ?? "ssh";
    const items = await checkConnectivity(vm, { ctx, readSecret: source.kind === "secret" ? readSecret : undefined, findSsh: () => findSshClient(sshPath) }, signal);
    const profile = this.profiles.forVm(vm.id);
    if (profile && source.kind === "secret" && source.user) {
      const entry: SshHostEntry = { vm: { id: vm.id, name: vm.name }, userName: source.user.name, userField: source.user.field, auth: profile.auth === "key" ? { kind: "key", identityFile: this.keys.pathFor(profile.alias) } : { kind: "password" } };
      try {
        const findings = await checkSshConfig({ entry, options: hostBlockOptionsFor(this.paths, this.options.tunnelProgram), userConfigFile: this.paths.userConfigFile, client: { sshPath } }, signal);
        for (const f of findings) items.push({ check: "sshConfig", title: "SSH configuration", status: f.severity === "error" ? "fail" : "warn", detail: f.message });
        if (findings.length === 0) items.push({ check: "sshConfig", title: "SSH configuration", status: "ok", detail: `Host ${profile.alias} in ${this.paths.configFile}` });
      } catch (e) {
        if (isCancellation(e)) throw e;
        items.push({ check: "sshConfig", title: "SSH configuration", status: "warn", detail: errorMessage(e) });
      }
    }
    items.push(this.broker ? { check: "broker", title: "Tunnel broker", status: "ok", detail: `Listening at ${this.broker.path}` } : { check: "broker", title: "Tunnel broker", status: "warn", detail: "Not started yet: it starts with the first connection." });
    return items;
  }

  /** Starts a stopped VM (needs a role that allows Microsoft.Compute/virtualMachines/start/action). */
  async startVm(vmId: string, signal?: AbortSignal): Promise<void> {
    const ctx = this.requireCtx();
    const vm = this.requireVm(vmId);
    await callAzure(ctx, `start ${vm.name}`, async () => {
      // A long-running operation: the poller resolves when ARM reports the VM started.
      await ctx.clients.compute(vm.tenantId, vm.subscriptionId).virtualMachines.start(vm.resourceGroup, vm.name, { abortSignal: signal });
    });
  }

  history(filter?: AuditFilter): Promise<AuditRecord[]> {
    return this.journal.read(filter);
  }

  async exportHistory(format: "json" | "csv", filter?: AuditFilter): Promise<string> {
    return exportAudit(await this.journal.read(filter), format);
  }

  // ----------------------------------------------------------------------------------------------
  // Countdown and events

  countdown(): CountdownView<Grant> | undefined {
    return countdownView(this.activeGrants(), this.ctx?.clock.now() ?? this.localClock.now());
  }

  private startTicker(ctx: AzureContext): void {
    this.ticker?.stop();
    const marks = this.options.notificationMarksMin ?? NOTIFICATION_MARKS_MIN;
    this.ticker = new CountdownTicker<Grant>({
      clock: ctx.clock,
      grants: () => this.grants.grants(),
      keyOf: grantKey,
      ledger: this.grants,
      marks,
      onTick: (view) => this.countdownChanged.fire(view),
      onNotify: (grant, mark) => this.expiryWarning.fire({ grant, minutesLeft: mark }),
      onExpired: () => void this.expireGrants(),
    });
    this.ticker.start();
    // Azure's clock moved relative to ours (or our idea of it was corrected): re-evaluate expiries now.
    this.disposers.push(ctx.clock.onDidChangeSkew(() => this.ticker?.refresh()));
  }

  private async expireGrants(): Promise<void> {
    const expired = (await this.machine?.checkExpiry()) ?? [];
    for (const g of expired) await this.dropCredential(g.vmId);
    if (expired.length > 0) {
      this.logger.info(`Access expired: ${expired.map((g) => g.vmName).join(", ")}`);
      this.grantsExpired.fire(expired);
      this.ticker?.refresh();
    }
  }

  private onAccessEvent(e: AccessEvent): void {
    this.accessChanged.fire(e);
    if (e.state.kind === "granted" || e.state.kind === "expired" || e.state.kind === "idle") this.ticker?.refresh();
  }

  async dispose(): Promise<void> {
    this.ticker?.stop();
    for (const d of this.disposers) d();
    for (const f of this.forwards) f.close();
    await this.broker?.close();
    this.broker = undefined;
    // Credentials leave the machine with the extension host; a reconnect fetches them again.
    await this.keys.removeAll();
    this.passwords.clear();
    await this.grants.flush();
    for (const e of [this.inventoryChanged, this.accessChanged, this.countdownChanged, this.expiryWarning, this.grantsExpired]) e.dispose();
  }
}

function sameFilter(a: JitConnectServiceOptions["filter"], b: JitConnectServiceOptions["filter"]): boolean {
  const key = (f: JitConnectServiceOptions["filter"]): string => JSON.stringify([[...(f?.tenants ?? [])].map((t) => t.toLowerCase()).sort(), [...(f?.subscriptions ?? [])].map((t) => t.toLowerCase()).sort()]);
  return key(a) === key(b);
}

function applyFilter(inventory: Inventory, filter: JitConnectServiceOptions["filter"]): Inventory {
  const tenants = new Set((filter?.tenants ?? []).map((t) => t.toLowerCase()));
  const subs = new Set((filter?.subscriptions ?? []).map((s) => s.toLowerCase()));
  if (tenants.size === 0 && subs.size === 0) return inventory;
  const keep = (tenantId: string, subscriptionId: string): boolean => (tenants.size === 0 || tenants.has(tenantId.toLowerCase())) && (subs.size === 0 || subs.has(subscriptionId.toLowerCase()));
  return {
    ...inventory,
    subscriptions: inventory.subscriptions.filter((s) => keep(s.tenantId, s.subscriptionId)),
    vms: inventory.vms.filter((v) => keep(v.tenantId, v.subscriptionId)),
  };
}
