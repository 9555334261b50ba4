import type { TokenCredential } from "@azure/core-auth";
import type { AccessEvent } from "../access/accessEvents";
import type { AccessInputProvider, AccessInputValues } from "../access/accessInput";
import { DEFAULT_TIMING, type FlowTiming } from "../access/flowSteps";
import type { Grant } from "../access/grant";
import { armIdKey } from "../azure/armIds";
import type { AzureContext } from "../azure/azureContext";
import { anySignal, throwIfAborted } from "../cancellation";
import type { Clock, TimerHandle } from "../clock";
import type { KeyStore } from "../credential/keyStore";
import { sshCertificateSourceOf, type SshCertificateSource } from "../entraSsh/certificateSource";
import { issueEntraCredential, type EntraSshCredential } from "../entraSsh/entraCredential";
import { chooseLoginMethod, type LoginMethod, type LoginMethodPreference, type LoginMethodStore } from "../entraSsh/loginMethod";
import { ensureLoginRoleActive, mayActivateLoginRoleAlongside } from "../entraSsh/loginRole";
import { checkEntraVm } from "../entraSsh/vmChecks";
import { JitError, errorMessage } from "../errors";
import type { VmEntry } from "../inventory/loadInventory";
import type { PimRequirements } from "../inventory/types";
import type { Logger } from "../logger";
import { deriveHostAlias } from "../ssh/hostAlias";
import type { AuditJournal } from "../audit/auditJournal";
import type { SshPaths } from "../ssh/sshPaths";
import type { ConnectionProfile, ConnectionProfileStore } from "./connectionProfiles";
import type { ConnectionSetup } from "./connectionSetup";
import type { ConnectionInfo, ConnectStep } from "./serviceTypes";

/** What an Entra ID connection needs from the service (the connect flow's deps). */
export interface EntraConnectDeps {
  ctx: AzureContext;
  connections: ConnectionSetup;
  profiles: ConnectionProfileStore;
  journal: AuditJournal;
  paths: SshPaths;
  accessInput: AccessInputProvider;
  activeGrant: (vmId: string) => Grant | undefined;
  requestAccess: (vmId: string, signal?: AbortSignal) => Promise<Grant>;
  /** The access flow's state changes (to start the login role once PIM accepted the access role). */
  onAccessEvent: (listener: (e: AccessEvent) => void) => () => void;
  setAlias: (vmId: string, alias: string) => Promise<void>;
  ensureBroker: () => Promise<unknown>;
}

/** Renew a certificate this long before it expires (Entra's last about an hour). */
const RENEW_BEFORE_MS = 5 * 60_000;

export interface EntraLoginOptions {
  credential: TokenCredential;
  keys: KeyStore;
  methods: LoginMethodStore;
  logger: Logger;
  localClock: Clock;
  /** Read at each connection: the setting can change while the service runs. */
  preference: () => LoginMethodPreference;
}

/**
 * Microsoft Entra ID login for the service (see docs/ENTRA_SSH.md): which login method a VM gets,
 * the connection itself (access, login role, certificate, SSH config), renewal of the certificate
 * while the grant lasts, and what the user entered for the access request (reused for the login
 * role's activation instead of asking twice).
 */
export class EntraLogin {
  private readonly renewals = new Map<string, TimerHandle>();
  private readonly lastInput = new Map<string, AccessInputValues>();

  constructor(private readonly options: EntraLoginOptions) {}

  /** Wraps the access-input port so the values given for a VM can be reused for its login role. */
  rememberingInput(input: AccessInputProvider): AccessInputProvider {
    return async (request, signal) => {
      const values = await input(request, signal);
      this.lastInput.set(armIdKey(request.vmId), values);
      return values;
    };
  }

  /** The per-VM choice (undefined: the setting decides). */
  methodChoice(vmId: string): LoginMethod | undefined {
    return this.options.methods.get(vmId);
  }

  setMethodChoice(vmId: string, method: LoginMethod | undefined): Promise<void> {
    return this.options.methods.set(vmId, method);
  }

  /**
   * The method a connection to `vm` uses now. A sign-in that cannot get certificates (VS Code's
   * account) prefers the Key Vault secret where there is one, unless the user chose Entra ID for
   * the VM; without a secret, Entra ID stays and Connect says which sign-in method would work.
   */
  methodFor(vm: VmEntry, keyVaultUsable: boolean): LoginMethod {
    const preference = sshCertificateSourceOf(this.options.credential) ? this.options.preference() : "keyVault";
    return chooseLoginMethod({ entraLoginRole: vm.entraLoginRole, keyVaultUsable }, preference, this.methodChoice(vm.id));
  }

  private source(): SshCertificateSource {
    const source = sshCertificateSourceOf(this.options.credential);
    if (!source) {
      throw new JitError(
        "EntraSignInUnsupported",
        "The current sign-in method cannot get SSH certificates from Microsoft Entra ID: only the device-code sign-in (azureJit.auth.method \"deviceCode\") can for now. Switch to it, or connect with a Key Vault credential.",
      );
    }
    return source;
  }

  /**
   * Connects with Entra ID: checks the VM (extension, managed identity) before asking for access,
   * then access (PIM + JIT) and the login role (alongside when its policy allows, see
   * requestAccessWithLoginRole), a fresh key and its certificate, the SSH config.
   */
  async connect(deps: EntraConnectDeps, vm: VmEntry, timing: Omit<FlowTiming, "clock">, signal?: AbortSignal, step: ConnectStep = () => undefined): Promise<ConnectionInfo> {
    const { ctx, connections, paths } = deps;
    const source = this.source();
    step(`Checking Microsoft Entra ID login on ${vm.name}…`);
    const state = await checkEntraVm(ctx, vm, signal);
    if (!state.ok) throw new JitError(state.code, state.message);
    const alias = deriveHostAlias(vm);
    const activateLoginRole = (grantEndsAt: number, s?: AbortSignal): Promise<unknown> =>
      ensureLoginRoleActive(
        { ctx, timing: { ...timing, clock: this.options.localClock }, accessValues: (needs, maxMs, s2) => this.valuesFor(deps, vm, needs, maxMs, s2), progress: step },
        { vmName: vm.name, tenantId: vm.tenantId, role: vm.entraLoginRole, grantEndsAt },
        s,
      );
    let grant = deps.activeGrant(vm.id);
    let loginRole: Promise<unknown> | undefined;
    if (!grant) {
      step(`Requesting access to ${vm.name}…`);
      ({ grant, loginRole } = await this.requestAccessWithLoginRole(deps, vm, activateLoginRole, signal));
    }
    throwIfAborted(signal);
    await (loginRole ?? activateLoginRole(grant.expiresAt, signal));
    step("Getting an SSH certificate from Microsoft Entra ID…");
    const credential = await this.issue(ctx, alias, vm, grant, source, signal);
    const bastion = vm.bastion!;
    const profile: ConnectionProfile = {
      alias, vmId: vm.id, vmName: vm.name, tenantId: vm.tenantId, subscriptionId: vm.subscriptionId, resourceGroup: vm.resourceGroup,
      bastion: { id: bastion.id, name: bastion.name, dnsName: bastion.dnsName!, sku: bastion.sku === "Basic" || bastion.sku === "Premium" || bastion.sku === "Developer" ? bastion.sku : "Standard" },
      userName: credential.userName, auth: "certificate", updatedAt: ctx.clock.now(),
    };
    step("Writing the SSH configuration…");
    await deps.profiles.put(profile);
    await deps.setAlias(vm.id, alias);
    const includeInstalled = await connections.writeSshConfig(signal);
    await deps.ensureBroker();
    await deps.journal.append({ type: "connectionOpened", vmId: vm.id, vmName: vm.name, tenantId: vm.tenantId, subscriptionId: vm.subscriptionId, alias, detail: "SSH configuration ready (Microsoft Entra ID certificate)" });
    return { alias, vmName: vm.name, grant, auth: "certificate", configFile: paths.configFile, includeInstalled, userConfigFile: paths.userConfigFile, ssh: connections.sshFor(profile) };
  }

  /**
   * The access request, with the login role activated alongside it (`mayActivateLoginRoleAlongside`)
   * as soon as PIM has accepted the access role (the access flow waits for it to take effect, or
   * opens JIT): so after the preflight, the form and any approval, and never for a request PIM
   * refused. The login role lasts as long as the duration asked for in the form (already capped by
   * the PIM and JIT maxima). If the access fails, the login role's flow stops; its own failure is
   * reported once the access is granted.
   */
  private async requestAccessWithLoginRole(
    deps: EntraConnectDeps,
    vm: VmEntry,
    activateLoginRole: (grantEndsAt: number, signal?: AbortSignal) => Promise<unknown>,
    signal?: AbortSignal,
  ): Promise<{ grant: Grant; loginRole?: Promise<unknown> }> {
    if (!mayActivateLoginRoleAlongside(vm)) return { grant: await deps.requestAccess(vm.id, signal) };
    const abandon = new AbortController();
    const key = armIdKey(vm.id);
    let loginRole: Promise<unknown> | undefined;
    const stopListening = deps.onAccessEvent((e) => {
      if (loginRole || armIdKey(e.vmId) !== key || (e.state.kind !== "waitingForRole" && e.state.kind !== "initiatingJit")) return;
      const values = this.lastInput.get(key);
      if (!values) return;
      this.options.logger.info(`PIM accepted the access role of ${vm.name}: activating its login role alongside.`);
      loginRole = activateLoginRole(deps.ctx.clock.now() + values.durationMs, anySignal(signal, abandon.signal));
      // Awaited once the access is granted; until then a failure must not count as unhandled.
      loginRole.catch(() => undefined);
    });
    try {
      const grant = await deps.requestAccess(vm.id, signal);
      return { grant, loginRole };
    } catch (e) {
      abandon.abort();
      throw e;
    } finally {
      stopListening();
    }
  }

  /** A new key and certificate for a profile whose files are gone (restart) while its grant runs. */
  async reissue(ctx: AzureContext, profile: ConnectionProfile, grant: Grant, signal?: AbortSignal): Promise<EntraSshCredential> {
    return this.issue(ctx, profile.alias, { name: profile.vmName, tenantId: profile.tenantId }, grant, this.source(), signal);
  }

  private async issue(ctx: AzureContext, alias: string, vm: { name: string; tenantId: string }, grant: Grant, source: SshCertificateSource, signal?: AbortSignal): Promise<EntraSshCredential> {
    const credential = await issueEntraCredential(
      { source, keys: this.options.keys, logger: this.options.logger },
      { alias, vmName: vm.name, tenantId: vm.tenantId, cloud: ctx.cloud, grantEndsAt: grant.expiresAt },
      signal,
    );
    this.scheduleRenewal(ctx, alias, vm, grant, source, credential.certificateExpiresAt);
    return credential;
  }

  /**
   * While the grant lasts, a new key and certificate replace the old ones a little before the
   * certificate expires (open sessions are not affected; new logins need a valid certificate). The
   * key store removes both when the grant ends; a renewal then finds no key and stops.
   */
  private scheduleRenewal(ctx: AzureContext, alias: string, vm: { name: string; tenantId: string }, grant: Grant, source: SshCertificateSource, certificateExpiresAt: number): void {
    this.cancelRenewal(alias);
    const clock = this.options.localClock;
    const at = certificateExpiresAt - RENEW_BEFORE_MS;
    if (at >= grant.expiresAt) return;
    const handle = clock.setTimeout(() => {
      this.renewals.delete(alias);
      void (async () => {
        if (!(await this.options.keys.has(alias)) || grant.expiresAt <= ctx.clock.now()) return;
        await this.issue(ctx, alias, vm, grant, source);
        this.options.logger.info(`Renewed the Entra ID SSH certificate for ${vm.name}.`);
      })().catch((e: unknown) => this.options.logger.warn(`Could not renew the Entra ID SSH certificate for ${vm.name}: ${errorMessage(e)}. New logins fail once it expires; connect again.`));
    }, Math.max(0, at - clock.now()));
    this.renewals.set(alias, handle);
  }

  cancelRenewal(alias: string): void {
    const handle = this.renewals.get(alias);
    if (handle !== undefined) this.options.localClock.clearTimeout(handle);
    this.renewals.delete(alias);
  }

  dispose(): void {
    for (const alias of [...this.renewals.keys()]) this.cancelRenewal(alias);
  }

  /** The access request's values when they satisfy the login role's policy; otherwise asks. */
  private async valuesFor(deps: EntraConnectDeps, vm: VmEntry, needs: PimRequirements, maxDurationMs: number, signal?: AbortSignal): Promise<AccessInputValues> {
    const known = this.lastInput.get(armIdKey(vm.id));
    if (known && (!needs.justification || known.justification) && (!needs.ticket || known.ticket)) return known;
    if (!needs.justification && !needs.ticket) return { durationMs: maxDurationMs };
    return deps.accessInput({ purpose: "request", vmId: vm.id, vmName: vm.name, roleName: vm.entraLoginRole?.eligibility?.roleName, role: vm.entraLoginRole?.eligibility, needs: { justification: needs.justification, ticket: needs.ticket }, approvalRequired: needs.approval, maxDurationMs, defaultDurationMs: maxDurationMs }, signal);
  }
}

/** How long the login role may take to show as active (PIM provisioning, RBAC propagation). */
export const ENTRA_TIMING: Omit<FlowTiming, "clock"> = DEFAULT_TIMING;
