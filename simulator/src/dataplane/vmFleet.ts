/**
 * The simulated VMs' data-plane side: a credential per VM (key pair or the password account)
 * stored as its Key Vault secret and tagged on the VM, one sshd per running Linux VM, and power
 * transitions (ARM start LRO and the control API) that start and stop those sshds.
 */
import type { GeneratedKeyPair, KeyFormat, RunningVm, VmHost } from "../contracts";
import type { SimClock } from "../clock";
import { setSecret } from "../keyvault/vaultService";
import type { LoadedScenario } from "../scenario/resolve";
import type { VirtualMachineModel } from "../world/model";
import type { World } from "../world/world";
import type { VmPower } from "../arm/armContext";

export type PasswordUser = { user: string; password: string } | { unavailable: string };

export interface VmFleetDeps {
  world: World;
  host?: VmHost;
  clock: SimClock;
  settings: LoadedScenario["simulation"];
  generateKeyPair: (format: KeyFormat) => Promise<GeneratedKeyPair>;
  passwordUser: () => Promise<PasswordUser>;
  log: (line: string) => void;
  /** Entra ID login on VMs with the AADSSHLoginForLinux extension (see vms/entraLogin.ts). */
  entra?: EntraFleetDeps;
}

export interface EntraFleetDeps {
  caPublicKey: string;
  /** The login-check URL for a VM (on the control origin). */
  checkUrl: (vm: VirtualMachineModel) => string;
  /** Lower-cased UPNs that may log in somewhere (they need OS accounts). */
  loginNames: string[];
  ensureAccounts: (names: string[]) => Promise<{ ok: true } | { unavailable: string }>;
}

export interface VmInfo {
  id: string;
  name: string;
  power: VirtualMachineModel["power"];
  running: boolean;
  sshPort?: number;
  homeDir?: string;
  logFile?: string;
  hostPublicKey?: string;
  loginUser?: string;
  credential?: "sshKey" | "password";
  /** Set when password login cannot work here (not root), with the reason. */
  passwordLoginUnavailable?: string;
  /** The AADSSHLoginForLinux extension is installed. */
  entraLogin?: boolean;
  /** Set when Entra ID login cannot work here (not root), with the reason. */
  entraLoginUnavailable?: string;
}

interface VmCredentialRuntime {
  loginUser: string;
  publicKey?: string;
  password?: boolean;
}

const TAG_SECRET = "azure-jit-connect.secret";
const TAG_USER = "azure-jit-connect.username";

export class VmFleet implements VmPower {
  private readonly creds = new Map<string, VmCredentialRuntime>();
  private passwordUnavailable?: string;
  private entraUnavailable?: string;
  private readonly transitions = new Map<string, Promise<void>>();

  constructor(private readonly d: VmFleetDeps) {}

  /** Generates credentials, writes secrets and tags, and starts the sshd of every running Linux VM. */
  async provision(): Promise<void> {
    const vms = this.d.world.scenario.vms.filter((v) => v.osType === "Linux" && v.credential);
    const needsPassword = vms.some((v) => v.credential?.type === "password");
    const pw = needsPassword ? await this.d.passwordUser() : undefined;
    if (pw && "unavailable" in pw) this.passwordUnavailable = pw.unavailable;
    await Promise.all(
      vms.map(async (vm) => {
        const c = vm.credential!;
        const vault = this.d.world.scenario.vaults.find((x) => x.name.toLowerCase() === c.vaultName.toLowerCase())!;
        let value: string;
        let runtime: VmCredentialRuntime;
        if (c.type === "sshKey") {
          const kp = await this.d.generateKeyPair(c.keyFormat);
          value = kp.privateKey;
          runtime = { loginUser: vm.adminUsername, publicKey: kp.publicKey };
        } else if (pw && "password" in pw) {
          value = pw.password;
          runtime = { loginUser: pw.user, password: true };
          vm.adminUsername = pw.user;
        } else {
          // No usable OS password here: store a value anyway so that the secret flow can be shown.
          value = "password-login-unavailable-in-this-simulator";
          runtime = { loginUser: vm.adminUsername, password: true };
        }
        setSecret(vault, c.secretName, value, this.d.clock.now(), { contentType: c.type === "sshKey" ? "application/x-pem-file" : "text/plain" });
        if (c.tagged) {
          vm.tags[TAG_SECRET] = `${vault.uri}/secrets/${c.secretName}`;
          vm.tags[TAG_USER] = runtime.loginUser;
        }
        this.creds.set(vm.id.toLowerCase(), runtime);
      }),
    );
    // An Entra-login VM needs no stored credential: its sshd logs in the admin account only by key, and Entra users by certificate.
    const entraVms = this.d.world.scenario.vms.filter((v) => v.osType === "Linux" && this.entraReady(v));
    if (entraVms.length > 0 && this.d.entra) {
      const accounts = await this.d.entra.ensureAccounts(this.d.entra.loginNames);
      if ("unavailable" in accounts) {
        this.entraUnavailable = accounts.unavailable;
        this.d.log(`Entra ID login unavailable: ${accounts.unavailable}`);
      }
    }
    for (const vm of entraVms) if (!this.creds.has(vm.id.toLowerCase())) this.creds.set(vm.id.toLowerCase(), { loginUser: vm.adminUsername });
    const toStart = this.d.world.scenario.vms.filter((v) => v.power === "running" && this.creds.has(v.id.toLowerCase()));
    await Promise.all(toStart.map((v) => this.startSshd(v)));
  }

  private async startSshd(vm: VirtualMachineModel): Promise<RunningVm | undefined> {
    const cred = this.creds.get(vm.id.toLowerCase());
    if (!this.d.host || !cred) return undefined;
    const running = await this.d.host.start({
      vmId: vm.id,
      vmName: vm.name,
      loginUser: cred.loginUser,
      authorizedKeys: cred.publicKey ? [cred.publicKey] : [],
      passwordAuthentication: cred.password === true && this.passwordUnavailable === undefined,
      ...(this.d.entra && this.entraReady(vm) && this.entraUnavailable === undefined
        ? { entraLogin: { caPublicKey: this.d.entra.caPublicKey, checkUrl: this.d.entra.checkUrl(vm), users: this.d.entra.loginNames } }
        : {}),
    });
    this.d.log(`VM ${vm.name}: sshd on 127.0.0.1:${running.port}`);
    return running;
  }

  /** The extension only works with a system-assigned identity (it fails to install otherwise). */
  private entraReady(vm: VirtualMachineModel): boolean {
    return vm.entraLogin && vm.systemIdentityPrincipalId !== undefined;
  }

  /** Serialises power transitions per VM. */
  private serial(vmId: string, work: () => Promise<void>): Promise<void> {
    const key = vmId.toLowerCase();
    const next = (this.transitions.get(key) ?? Promise.resolve()).then(work, work);
    this.transitions.set(key, next.catch(() => undefined));
    return next;
  }

  start(vmId: string): Promise<void> {
    const vm = this.d.world.vm(vmId);
    if (!vm) return Promise.reject(new Error(`No VM ${vmId}`));
    return this.serial(vmId, async () => {
      if (vm.power === "running") return;
      vm.power = "starting";
      const delay = this.d.settings.vmStartSeconds * 1000;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      try {
        await this.startSshd(vm);
      } catch (e) {
        vm.power = "stopped";
        throw e;
      }
      vm.power = "running";
    });
  }

  stop(vmId: string, state: "stopped" | "deallocated"): Promise<void> {
    const vm = this.d.world.vm(vmId);
    if (!vm) return Promise.reject(new Error(`No VM ${vmId}`));
    return this.serial(vmId, async () => {
      vm.power = state === "stopped" ? "stopping" : "deallocating";
      await this.d.host?.stop(vm.id);
      vm.power = state;
    });
  }

  /** Rebuilds a running VM from its image (a new host key); false when it is not running. */
  rebuild(vmId: string): Promise<boolean> {
    const vm = this.d.world.vm(vmId);
    if (!vm) return Promise.reject(new Error(`No VM ${vmId}`));
    return this.serial(vmId, async () => {
      if (vm.power !== "running" || !this.d.host) return;
      await this.d.host.rebuild(vm.id);
    }).then(() => this.running(vm.id) !== undefined);
  }

  running(vmId: string): RunningVm | undefined {
    return this.d.host?.get(vmId);
  }

  info(): VmInfo[] {
    return this.d.world.scenario.vms.map((vm) => {
      const r = this.running(vm.id);
      const cred = this.creds.get(vm.id.toLowerCase());
      return {
        id: vm.id,
        name: vm.name,
        power: vm.power,
        running: r !== undefined && vm.power === "running",
        ...(r ? { sshPort: r.port, homeDir: r.homeDir, logFile: r.logFile, hostPublicKey: r.hostPublicKey } : {}),
        ...(cred ? { loginUser: cred.loginUser, credential: cred.password ? ("password" as const) : ("sshKey" as const) } : {}),
        ...(cred?.password && this.passwordUnavailable ? { passwordLoginUnavailable: this.passwordUnavailable } : {}),
        ...(vm.entraLogin ? { entraLogin: true } : {}),
        ...(vm.entraLogin && this.entraUnavailable ? { entraLoginUnavailable: this.entraUnavailable } : {}),
      };
    });
  }

  async stopAll(): Promise<void> {
    await this.d.host?.stopAll();
  }
}
