import * as path from "node:path";
import * as os from "node:os";
import type { Grant } from "../access/grant";
import { armIdKey } from "../azure/armIds";
import type { AzureContext } from "../azure/azureContext";
import { createSecretReader } from "../azure/secretReader";
import type { BastionSku } from "../bastion/bastionSession";
import { isCancellation } from "../cancellation";
import type { CloudEnvironment } from "../cloud";
import {
  credentialSourceFor,
  rememberCredentialChoice,
  type CredentialChoiceStore,
  type CredentialSource,
  type RememberedCredential,
  type UserChoice,
} from "../credential/credentialSource";
import type { KeyStore } from "../credential/keyStore";
import { materialiseCredential, type VmCredential } from "../credential/materialiseCredential";
import type { PasswordStore } from "../credential/passwordStore";
import type { SecretLocation } from "../credential/secretUri";
import { JitError, errorMessage } from "../errors";
import { writeFileAtomic } from "../fs/privateFiles";
import type { VmEntry } from "../inventory/loadInventory";
import type { Logger } from "../logger";
import type { PreflightItem } from "../preflight/checkConnectivity";
import { checkSshConfig } from "../ssh/configCheck";
import { withFileLock } from "../fs/fileLock";
import { hostBlockOptionsFor, writeSshHosts, type TunnelProgram } from "../ssh/hostsFile";
import type { SshHostEntry } from "../ssh/renderHostBlock";
import { removeSshConfig } from "../ssh/sshConfigSetup";
import type { SshPaths } from "../ssh/sshPaths";
import { inspectIncludeBlock, installIncludeBlock } from "../ssh/userConfigFile";
import type { ConnectionProfile, ConnectionProfileStore } from "./connectionProfiles";
import { askpassLauncherName, renderAskpassLauncher, sshInvocation, type SshInvocation } from "./sshInvocation";

export interface ConnectionSetupOptions {
  paths: SshPaths;
  profiles: ConnectionProfileStore;
  keys: KeyStore;
  passwords: PasswordStore;
  logger: Logger;
  tunnelProgram: TunnelProgram;
  credentialChoices: CredentialChoiceStore;
  cloud: CloudEnvironment;
  /** Read at each use: the setting can change while the service runs. */
  sshPath: () => string;
  /** Asked once before the Include block is added to the user's SSH config; false = only our own file. */
  confirmUserConfigEdit?: (file: string) => Promise<boolean>;
  /** Entra ID login: a new key and certificate for a profile whose files are gone (after a restart). */
  reissueCertificate?: (ctx: AzureContext, profile: ConnectionProfile, grant: Grant, signal?: AbortSignal) => Promise<unknown>;
}

/** A Key Vault secret and a login user: what a connection with a stored credential needs. */
export interface UsableCredentialSource {
  secret: SecretLocation;
  user: UserChoice;
}

type SecretReadResult = { ok: true; value: Awaited<ReturnType<ReturnType<typeof createSecretReader>>> } | { ok: false; error: unknown };

/**
 * The connection half of the journey, once access is (being) granted: where a VM's credential
 * lives, the credential on this machine (a 0600 key file or an in-memory password), our SSH config
 * and the ssh command line. It takes no access decision: the service asks for access, then calls
 * these. Kept apart from the service facade so that each step of the journey reads on its own.
 */
export class ConnectionSetup {
  private readonly remembered = new Map<string, RememberedCredential>();

  constructor(private readonly options: ConnectionSetupOptions) {}

  /** The credential choice the user made for a VM without tags (loaded by `loadRememberedChoices`). */
  rememberedFor(vmId: string): RememberedCredential | undefined {
    return this.remembered.get(armIdKey(vmId));
  }

  /** Loads the remembered credential choices so that the next inventory shows them. */
  async loadRememberedChoices(vmIds: readonly string[]): Promise<void> {
    await Promise.all(
      vmIds.map(async (id) => {
        const choice = await this.options.credentialChoices.get(id.toLowerCase());
        if (choice) this.remembered.set(armIdKey(id), choice);
      }),
    );
  }

  /** Validates, then remembers which Key Vault secret (and user) to use for a VM without tags. */
  async rememberCredential(vm: VmEntry, choice: RememberedCredential): Promise<void> {
    await rememberCredentialChoice(vm, choice, this.options.credentialChoices, this.options.cloud);
    this.remembered.set(armIdKey(vm.id), { secretUri: choice.secretUri, ...(choice.userName ? { userName: choice.userName } : {}) });
  }

  /** Where the VM's credential comes from (tags, else the remembered choice), as it stands. */
  sourceFor(vm: VmEntry, cloud: CloudEnvironment): CredentialSource {
    return credentialSourceFor(vm, this.rememberedFor(vm.id), cloud);
  }

  /** The secret and user for a connection, or the error that names what to fix. */
  usableSource(vm: VmEntry, cloud: CloudEnvironment): UsableCredentialSource {
    const source = this.sourceFor(vm, cloud);
    if (source.kind === "invalid") throw source.error;
    if (source.kind === "unknown") {
      throw new JitError("NoCredentialSource", `No SSH credential is known for ${vm.name}: tag the VM with azure-jit-connect.secret (a Key Vault secret URI), or choose a secret with “Azure JIT: Choose Credential”.`, { details: { vmId: vm.id } });
    }
    if (!source.user) throw new JitError("NoCredentialSource", `No login user is known for ${vm.name}: tag the VM with azure-jit-connect.username.`);
    return { secret: source.secret, user: source.user };
  }

  /** Starts reading the secret; the result (value or error) is settled, never rejected. */
  readSecret(ctx: AzureContext, secret: SecretLocation, signal?: AbortSignal): Promise<SecretReadResult> {
    return createSecretReader(ctx)(secret.uri, signal).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  }

  /**
   * Makes the credential usable by ssh for the length of the grant, from a read started earlier.
   * The secret may have been unreadable only until the role became active (the eligible role can
   * carry the Key Vault data access): it is read once more before giving up.
   */
  async materialise(ctx: AzureContext, alias: string, secret: SecretLocation, grant: Grant, early: SecretReadResult, signal?: AbortSignal): Promise<VmCredential> {
    let read = early;
    if (!read.ok && !isCancellation(read.error)) read = await this.readSecret(ctx, secret, signal);
    if (!read.ok) throw read.error;
    const prefetched = read.value;
    return materialiseCredential(
      { alias, secret, expiresAt: grant.expiresAt },
      { readSecret: async () => prefetched, keyStore: this.options.keys, passwords: this.options.passwords, logger: this.options.logger },
      signal,
    );
  }

  /** The persisted profile of a connection (no secret: where the credential lives, not its value). */
  profileFor(vm: VmEntry, alias: string, source: UsableCredentialSource, auth: VmCredential["kind"], now: number): ConnectionProfile {
    const bastion = vm.bastion;
    if (!bastion?.dnsName) throw new JitError("NoBastion", `No usable Bastion reaches ${vm.name}.`);
    return {
      alias,
      vmId: vm.id,
      vmName: vm.name,
      tenantId: vm.tenantId,
      subscriptionId: vm.subscriptionId,
      resourceGroup: vm.resourceGroup,
      bastion: { id: bastion.id, name: bastion.name, dnsName: bastion.dnsName, sku: (bastion.sku as BastionSku) ?? "Standard" },
      userName: source.user.name,
      secretUri: source.secret.uri.href,
      auth,
      updatedAt: now,
    };
  }

  /** Writes our SSH config for every profile, and the Include block when the user allows it. */
  async writeSshConfig(signal?: AbortSignal): Promise<boolean> {
    const { paths, tunnelProgram } = this.options;
    await this.writeHosts(signal);
    await writeFileAtomic(path.join(paths.dir, askpassLauncherName()), renderAskpassLauncher(tunnelProgram), { mode: 0o700 });
    const state = await inspectIncludeBlock(paths.userConfigFile, paths.configFile);
    if (state === "current") return true;
    const allowed = (await this.options.confirmUserConfigEdit?.(paths.userConfigFile)) ?? true;
    if (!allowed) return false;
    await installIncludeBlock(paths.userConfigFile, paths.configFile, {}, signal);
    return true;
  }

  /** The ssh command for a VM that has been connected before (terminal, copy, port forwarding). */
  sshFor(profile: ConnectionProfile, extraArgs: readonly string[] = []): SshInvocation {
    return sshInvocation({
      sshPath: this.options.sshPath(),
      paths: this.options.paths,
      alias: profile.alias,
      // A certificate login is a key login to ssh: no askpass.
      auth: profile.auth === "password" ? "password" : "key",
      askpassProgram: path.join(this.options.paths.dir, askpassLauncherName()),
      extraArgs,
    });
  }

  /** Removes our SSH config, the Include block, the credentials and the profiles. */
  async removeAll(options: { forgetHostKeys?: boolean } = {}): Promise<void> {
    await this.removeAllCredentials();
    await removeSshConfig(this.options.paths, options);
    await this.options.profiles.clear();
  }

  /** Every credential leaves this machine (sign-out); a reconnect fetches them again. */
  async removeAllCredentials(): Promise<void> {
    await this.options.keys.removeAll();
    this.options.passwords.clear();
  }

  private async writeHosts(signal?: AbortSignal): Promise<void> {
    await writeProfilesSshHosts(this.options.profiles, this.options.paths, this.options.tunnelProgram, (p) => this.authOf(p), signal);
  }

  /**
   * At shutdown: this window's passwords (memory) go; keys on disk go only when no live grant
   * needs them. Another window, or this one after a reload, may be using a key whose access still
   * runs; the key's own timer (in whichever window runs) and the start-up sweep remove it when
   * the grant ends.
   */
  async releaseCredentialsAtShutdown(): Promise<void> {
    await this.options.keys.removeExpired();
    this.options.passwords.clear();
  }

  /**
   * Removes the credential of one VM (its access ended or was given up). An Entra ID host goes
   * too: its key and certificate are made per grant, so its alias means nothing without one.
   */
  async dropCredential(vmId: string): Promise<void> {
    const profile = this.options.profiles.forVm(vmId);
    if (!profile) return;
    await this.options.keys.remove(profile.alias);
    this.options.passwords.delete(profile.alias);
    if (profile.auth === "certificate") {
      await this.options.profiles.remove(profile.alias);
      await this.writeHosts();
    }
  }

  /** The grant of a VM now ends later: its credential may stay that long. */
  async extendCredential(vmId: string, expiresAt: number): Promise<void> {
    const profile = this.options.profiles.forVm(vmId);
    if (!profile) return;
    await this.options.keys.extend(profile.alias, expiresAt);
    this.options.passwords.extend(profile.alias, expiresAt);
  }

  /** Makes the credential of a profile available again (after a restart removed it). */
  async ensureCredential(ctx: AzureContext, profile: ConnectionProfile, grant: Grant, signal?: AbortSignal): Promise<VmCredential | undefined> {
    const { keys, passwords, logger } = this.options;
    if (profile.auth === "password" ? passwords.has(profile.alias) : await keys.has(profile.alias)) return undefined;
    if (profile.auth === "certificate") {
      if (!this.options.reissueCertificate) throw new JitError("EntraSignInUnsupported", `No Entra ID certificate can be issued for ${profile.vmName} here.`);
      await this.options.reissueCertificate(ctx, profile, grant, signal);
      return undefined;
    }
    const source = credentialSourceFor({ id: profile.vmId, name: profile.vmName, tags: { "azure-jit-connect.secret": profile.secretUri ?? "", "azure-jit-connect.username": profile.userName } }, undefined, ctx.cloud);
    if (source.kind !== "secret") throw source.kind === "invalid" ? source.error : new JitError("NoCredentialSource", `No credential is known for ${profile.vmName}.`);
    return materialiseCredential({ alias: profile.alias, secret: source.secret, expiresAt: grant.expiresAt }, { readSecret: createSecretReader(ctx), keyStore: keys, passwords, logger }, signal);
  }

  /** The SSH-configuration lines of the connectivity report, for a VM connected before. */
  async sshConfigReport(vm: VmEntry, source: CredentialSource, signal?: AbortSignal): Promise<PreflightItem[]> {
    const profile = this.options.profiles.forVm(vm.id);
    if (!profile || source.kind !== "secret" || !source.user) return [];
    const { paths, tunnelProgram } = this.options;
    const entry: SshHostEntry = { vm: { id: vm.id, name: vm.name }, userName: source.user.name, userField: source.user.field, auth: this.authOf(profile) };
    try {
      const findings = await checkSshConfig(
        {
          entry,
          options: hostBlockOptionsFor(paths, tunnelProgram),
          userConfigFile: paths.userConfigFile,
          // As Remote-SSH runs ssh: with -F only when remote.SSH.configFile is set.
          client: { sshPath: this.options.sshPath(), ...(paths.userConfigIsCustom ? { configFile: paths.userConfigFile } : {}) },
          sshDefaultConfigFile: path.join(os.userInfo().homedir, ".ssh", "config"),
        },
        signal,
      );
      if (findings.length === 0) return [{ check: "sshConfig", title: "SSH configuration", status: "ok", detail: `Host ${profile.alias} in ${paths.configFile}` }];
      return findings.map((f) => ({ check: "sshConfig", title: "SSH configuration", status: f.severity === "error" ? "fail" : "warn", detail: f.message }));
    } catch (e) {
      if (isCancellation(e)) throw e;
      return [{ check: "sshConfig", title: "SSH configuration", status: "warn", detail: errorMessage(e) }];
    }
  }

  private authOf(profile: ConnectionProfile): SshHostEntry["auth"] {
    if (profile.auth === "certificate") return { kind: "certificate", identityFile: this.options.keys.pathFor(profile.alias), certificateFile: this.options.keys.certificatePathFor(profile.alias) };
    return profile.auth === "key" ? { kind: "key", identityFile: this.options.keys.pathFor(profile.alias) } : { kind: "password" };
  }
}

/**
 * Writes our SSH config with one Host block per profile. Another window may have added a host since
 * we last read the profiles: they are re-read under the config's cross-process lock, so the file
 * always holds every window's hosts.
 */
export async function writeProfilesSshHosts(
  profiles: ConnectionProfileStore,
  paths: SshPaths,
  program: TunnelProgram,
  authOf: (profile: ConnectionProfile) => SshHostEntry["auth"],
  signal?: AbortSignal,
): Promise<void> {
  await withFileLock(paths.configFile, async () => {
    await profiles.reload();
    const entries: SshHostEntry[] = profiles.all().map((p) => ({ vm: { id: p.vmId, name: p.vmName }, userName: p.userName, userField: "the VM's login user", auth: authOf(p) }));
    await writeSshHosts(entries, paths, program, process.platform, signal);
  });
}
