/**
 * The Azure simulator's programmatic entry point (docs/ARCHITECTURE.md, "Programmatic API").
 * Starts every origin (login, ARM, one per Key Vault, one Bastion data plane per Bastion host,
 * the control API), provisions the VMs (credentials into Key Vault, one sshd per running Linux
 * VM) and returns the settings that point the extension at it.
 */
import { randomBytes } from "node:crypto";
import { existsSync, promises as fsp } from "node:fs";
import * as path from "node:path";
import { createSigningKey } from "./auth/signingKey";
import { ArmService, armServiceOf } from "./arm/armService";
import type { ArmDeps } from "./arm/armContext";
import { JitStore } from "./arm/jit/jitStore";
import { PimStore } from "./arm/pim/pimStore";
import { startBastionDataPlane } from "./bastion";
import { SimClock } from "./clock";
import type { BastionDataPlane, DataPlaneHooks } from "./contracts";
import { createControlRouter } from "./control/controlService";
import { BASTION_TOKEN_RESOURCE, createBastionAuthority } from "./dataplane/bastionAuthority";
import { VmFleet } from "./dataplane/vmFleet";
import { LoginService } from "./entra/loginService";
import { SignInStore } from "./entra/signInStore";
import { HttpError } from "./http/errors";
import { startServer, type RunningServer } from "./http/server";
import { setSecret } from "./keyvault/vaultService";
import { vaultFrontEnd } from "./keyvault/vaultHosts";
import type { SimRequest } from "./http/request";
import type { Reply } from "./http/router";
import { AuditLog } from "./observe/auditLog";
import { FaultRules } from "./observe/faults";
import { loadScenario } from "./scenario/load";
import type { LoadedScenario } from "./scenario/resolve";
import type { Scenario } from "./scenario/schema";
import { defaultSimulatorHome, ensureCa, issueServerCertificate } from "./tls/ca";
import { prefixTextCovers } from "./util/cidr";
import { idKey } from "./util/ids";
import { createVmHost, ensurePasswordUser, generateKeyPair, sweepStrayVms } from "./vms";
import { ensureEntraAccounts, isUsableLoginName } from "./vms/entraLogin";
import { ensureSshCertificateAuthority } from "./entra/sshCertificateAuthority";
import { PAS_LINUX_RESOURCE } from "./entra/sshCertificateIssuer";
import { registerSshLoginCheck, VM_LOGIN_ROLE_GUIDS } from "./entra/sshLoginCheck";
import { KEY_VAULT_AUDIENCE, KEY_VAULT_DOMAIN } from "./auth/audiences";
import { Directory, PUBLIC_CLIENTS } from "./world/directory";
import type { RoleAssignmentModel } from "./world/model";
import { Rbac } from "./world/rbac";
import { World } from "./world/world";

export type { LoadedScenario } from "./scenario/resolve";
export type { Scenario } from "./scenario/schema";
export { ScenarioError } from "./scenario/check";
export { loadScenario, readScenarioFile } from "./scenario/load";

export interface StartSimulatorOptions {
  /** "demo", a path to a .yaml/.json file, or a scenario object (e.g. from the scale generator). */
  scenario: string | Scenario;
  /** Default $AZSIM_HOME or <repo>/.sim. */
  home?: string;
  /** Fixed ports (login 8440, ARM 8441, control 8442, vaults 8450, Bastions 8470..); default ephemeral. */
  fixedPorts?: boolean;
  /** Start an sshd per running Linux VM (default true). */
  startVms?: boolean;
  log?: (line: string) => void;
}

export interface Simulator {
  /** `deviceLogin` is the plain-HTTP loopback origin of the device-login page (`verification_uri`). */
  endpoints: { login: string; arm: string; control: string; deviceLogin: string };
  caCertPath: string;
  /** VS Code settings that point the extension at this simulator (see "Product settings"). */
  settings: Record<string, unknown>;
  /** The scenario after loading (users, tenants, VMs with their ARM ids, ...). */
  scenario: LoadedScenario;
  /** Stops every server and every sshd; idempotent. */
  stop(): Promise<void>;
}

/** The public client the printed settings use (Azure CLI's well-known id). */
export const SIMULATOR_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

const FIXED = { login: 8440, arm: 8441, control: 8442, deviceLogin: 8443, vault: 8450, bastion: 8470 };

export async function startSimulator(options: StartSimulatorOptions): Promise<Simulator> {
  const log = options.log ?? (() => undefined);
  const clock = new SimClock();
  const scenario = loadScenario(options.scenario, clock.now());
  const home = options.home ?? defaultSimulatorHome();
  const ca = await ensureCa(home);
  const tls = await issueServerCertificate(ca, ["localhost", "127.0.0.1", `*.${KEY_VAULT_DOMAIN}`]);
  const key = createSigningKey();
  const audit = new AuditLog(() => clock.now());
  const faults = new FaultRules();
  const world = new World(scenario);
  const directory = new Directory(scenario);

  const standing = new Map<string, RoleAssignmentModel[]>();
  for (const a of scenario.roleAssignments) {
    const k = a.principalId.toLowerCase();
    standing.set(k, [...(standing.get(k) ?? []), a]);
  }
  // RBAC reads PIM's activations and PIM reads RBAC's roles: the holder breaks the cycle at construction.
  const holder: { pim?: PimStore } = {};
  const rbac = new Rbac(scenario.roleDefinitions, (principalId) => [...(standing.get(principalId.toLowerCase()) ?? []), ...(holder.pim?.activeRoleAssignments(principalId) ?? [])], world.lineage);
  const pim = (holder.pim = new PimStore(scenario, () => clock.now(), () => rbac, scenario.simulation.pimProvisioningSeconds * 1000));
  const jit = new JitStore(scenario, () => clock.now(), scenario.simulation.jitInitiatingSeconds * 1000, (vmId, port, prefix) =>
    (world.vm(vmId)?.openPorts ?? []).some((r) => r.port === port && prefixTextCovers(r.sourcePrefix, prefix)),
  );

  const servers: RunningServer[] = [];
  const dataPlanes: BastionDataPlane[] = [];
  const origins = { login: "", arm: "", control: "", deviceLogin: "" };
  const vmsRoot = path.join(home, "vms");
  const runDir = path.join(vmsRoot, `run-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`);
  const host = options.startVms === false ? undefined : createVmHost({ baseDir: runDir, log });
  const sshCa = await ensureSshCertificateAuthority(home);
  const fleet = new VmFleet({
    world, host, clock, settings: scenario.simulation, generateKeyPair, passwordUser: ensurePasswordUser, log,
    entra: {
      caPublicKey: sshCa.publicKey,
      checkUrl: (vm) => `${origins.control}/_sim/vms/${encodeURIComponent(vm.name)}/entra-login`,
      loginNames: entraLoginNames(scenario),
      ensureAccounts: ensureEntraAccounts,
    },
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      await Promise.allSettled([...servers.map((s) => s.close()), ...dataPlanes.map((d) => d.close())]);
      await fleet.stopAll().catch((e: unknown) => log(`stopping VMs failed: ${String(e)}`));
      await fsp.rm(runDir, { recursive: true, force: true }).catch(() => undefined);
    })());

  try {
    await sweepDeadRuns(vmsRoot, log);
    const common = { now: () => clock.now(), audit, faults };
    const signIns = new SignInStore();
    const login = new LoginService({ directory, store: signIns, key, now: () => clock.now(), settings: scenario.simulation, armOrigin: () => origins.arm, deviceLoginOrigin: () => origins.deviceLogin, sshCa });
    const loginServer = await startServer({ ...common, tls, port: options.fixedPorts ? FIXED.login : 0, service: () => "login", errorFormat: "oauth", handle: (req) => login.handle(req) });
    servers.push(loginServer);
    origins.login = loginServer.origin;
    // The device-login page alone, over plain HTTP on loopback (see LoginServiceDeps.deviceLoginOrigin).
    const deviceLoginServer = await startServer({
      ...common,
      port: options.fixedPorts ? FIXED.deviceLogin : 0,
      service: () => "login",
      errorFormat: "oauth",
      handle: async (req) => {
        if (req.path === "/devicelogin" && (req.method === "GET" || req.method === "POST")) return login.handle(req);
        // code-server's port proxy keeps only the port of a localhost link (`/proxy/<port>/`), so the
        // origin's root shows the page too; its form posts to the relative `devicelogin`.
        if (req.path === "/" && req.method === "GET") return login.handle({ ...req, path: "/devicelogin", segments: ["devicelogin"] });
        throw new HttpError(404, "not_found", `Only /devicelogin is served here, not ${req.method} ${req.path}.`);
      },
    });
    servers.push(deviceLoginServer);
    origins.deviceLogin = deviceLoginServer.origin;

    const armDeps: ArmDeps = { world, directory, rbac, pim, jit, clock, key, settings: scenario.simulation, power: fleet, loginOrigin: () => origins.login, armOrigin: () => origins.arm, tokensValidFrom: (upn) => signIns.tokensValidFrom(upn) };
    const arm = new ArmService(armDeps);
    const armServer = await startServer({ ...common, tls, port: options.fixedPorts ? FIXED.arm : 0, service: (req) => armServiceOf(req.path), errorFormat: "cloudError", handle: (req) => arm.handle(req) });
    servers.push(armServer);
    origins.arm = armServer.origin;

    const vaultDeps = { key, rbac, now: () => clock.now(), loginOrigin: () => origins.login };
    let serveVaults: (req: SimRequest) => Promise<Reply> = () => Promise.reject(new HttpError(503, "ServiceUnavailable", "Key Vault is starting."));
    const vaultServer = await startServer({
      ...common,
      tls,
      port: options.fixedPorts ? FIXED.vault : 0,
      service: () => "keyvault",
      errorFormat: "cloudError",
      handle: (req) => serveVaults(req),
    });
    servers.push(vaultServer);
    serveVaults = vaultFrontEnd(scenario.vaults, vaultServer.port, vaultDeps);
    for (const lit of scenario.literalSecrets) {
      const vault = scenario.vaults.find((v) => idKey(v.name) === idKey(lit.vaultName))!;
      setSecret(vault, lit.name, lit.value, clock.now(), { contentType: lit.contentType, tags: lit.tags, enabled: lit.enabled });
    }

    const authority = createBastionAuthority({ world, rbac, jit, fleet, key, now: () => clock.now(), armOrigin: () => origins.arm, acceptResourceManagerAudience: scenario.simulation.bastionAcceptsResourceManagerAudience });
    const hooks: DataPlaneHooks = {
      authority,
      now: () => clock.now(),
      audit: (e) => audit.record(e),
      fault: (service, method, p) => faults.take(service, method, p),
    };
    for (const [i, bastion] of scenario.bastions.entries()) {
      const dp = await startBastionDataPlane({ bastionId: bastion.id, tls, port: options.fixedPorts ? FIXED.bastion + i : 0, hooks });
      dataPlanes.push(dp);
      bastion.dnsName = dp.dnsName;
    }

    const settings = (): Record<string, unknown> => ({
      "azureJit.cloud": "Custom",
      "azureJit.customCloud": {
        name: "AzureSimulator",
        authorityHost: origins.login,
        resourceManagerEndpoint: origins.arm,
        resourceManagerAudience: origins.arm,
        activeDirectoryResourceId: BASTION_TOKEN_RESOURCE,
        keyVaultAudience: KEY_VAULT_AUDIENCE,
        keyVaultDnsSuffix: `.${KEY_VAULT_DOMAIN}`,
        keyVaultPorts: [vaultServer.port],
        // Each Bastion's data plane has its own port on localhost (§1.10).
        bastionDnsSuffix: "localhost",
        bastionPorts: dataPlanes.map((d) => Number(new URL(`https://${d.dnsName}`).port)),
        portalUrl: origins.arm,
        // Entra ID SSH certificates: the public cloud's PAS scope, which this login origin answers for.
        sshCertificateScope: `${PAS_LINUX_RESOURCE}/.default`,
      },
      "azureJit.auth.method": "deviceCode",
      "azureJit.auth.tenantId": "organizations",
      "azureJit.auth.clientId": SIMULATOR_CLIENT_ID,
      "azureJit.demo.simulatorControlUrl": origins.control,
      // VS Code 1.100 verifies TLS against the OS store only while this is on, ignoring
      // NODE_EXTRA_CA_CERTS (how the simulator's CA is trusted): off, Node's store applies.
      "http.systemCertificates": false,
    });
    const control = createControlRouter({
      clock, world, directory, rbac, login, signIns, pim, jit, arm, fleet, audit, faults, settings,
      endpoints: () => ({ ...origins, deviceLogin: `${origins.deviceLogin}/devicelogin` }),
      startedAt: Date.now(),
    });
    registerSshLoginCheck(control, { world, directory, rbac });
    const controlServer = await startServer({
      ...common,
      port: options.fixedPorts ? FIXED.control : 0,
      service: () => "control",
      errorFormat: "cloudError",
      handle: async (req) => {
        const m = control.match(req.method, req.segments);
        if (m.kind === "found") return m.handler(req, m.params);
        throw new HttpError(m.kind === "methodNotAllowed" ? 405 : 404, "NotFound", `No control route ${req.method} ${req.path}.`);
      },
    });
    servers.push(controlServer);
    origins.control = controlServer.origin;
    // After the control origin: Entra-login VMs ask it at every login.
    await fleet.provision();
    log(`simulator "${scenario.name}" ready: login ${origins.login}, ARM ${origins.arm}, control ${origins.control} (public client ${PUBLIC_CLIENTS[SIMULATOR_CLIENT_ID]})`);

    return {
      endpoints: { ...origins },
      caCertPath: ca.certPath,
      settings: settings(),
      scenario,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Lower-cased UPNs of users with an eligibility or assignment of a VM login role anywhere: the
 * simulated VMs need an OS account for each (the real extension resolves them through NSS).
 */
function entraLoginNames(scenario: LoadedScenario): string[] {
  const principals = new Set(
    [...scenario.eligibilities, ...scenario.roleAssignments].filter((x) => VM_LOGIN_ROLE_GUIDS.includes(x.roleGuid.toLowerCase())).map((x) => x.principalId.toLowerCase()),
  );
  return scenario.users
    .filter((u) => [...u.objectIds.values()].some((oid) => principals.has(oid.toLowerCase())))
    .map((u) => u.upn.toLowerCase())
    .filter(isUsableLoginName);
}

/** VM folders of simulator runs whose process is gone: kill what they left and remove them. */
async function sweepDeadRuns(vmsRoot: string, log: (line: string) => void): Promise<void> {
  if (!existsSync(vmsRoot)) return;
  for (const name of await fsp.readdir(vmsRoot)) {
    const m = /^run-(\d+)-/.exec(name);
    if (!m || Number(m[1]) === process.pid || isAlive(Number(m[1]))) continue;
    const dir = path.join(vmsRoot, name);
    const killed = await sweepStrayVms(dir, log).catch(() => []);
    if (killed.length > 0) log(`removed ${killed.length} stray process(es) of a dead simulator run in ${dir}`);
    await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
