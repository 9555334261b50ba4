/**
 * Microsoft Entra ID login through the whole chain, on the simulator's `entra` scenario: alice has
 * only *eligible* roles on vm-entra (JIT VM Operator for JIT, Virtual Machine User Login for the
 * login) and the VM has no Key Vault secret. Connect = PIM (JIT role) + JIT + PIM (login role) + a
 * fresh key and its Entra SSH certificate + our SSH config; then a plain `ssh <alias>` runs through
 * our Bastion tunnel and logs in as her UPN. The login role's policy allows 30 minutes while the
 * grant lasts an hour: once the login role has expired the VM refuses a new login although the
 * tunnel still opens; once the grant ends, the key, the certificate and the alias are gone.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { isJitError } from "../../../src/core/errors";
import type { JitConnectService } from "../../../src/core/service/jitConnectService";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { memoryLogger } from "../access/support/simContext";
import { runtimeDirOf, startSimService } from "../../support/simService";

const ALICE = "alice@contoso.example";
const asRoot = process.getuid?.() === 0;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("Entra ID login through PIM + JIT + Bastion (core service, real ssh)", { timeout: 180_000, skip: asRoot ? false : "Entra ID login on simulated VMs needs root (OS accounts)" }, () => {
  let t: TestSimulator;
  let root: string;
  let service: JitConnectService;
  let childEnv: NodeJS.ProcessEnv;
  const logger = memoryLogger();
  const steps: string[] = [];
  const inputsAsked: string[] = [];

  before(async () => {
    t = await startTestSimulator("entra", {
      edit: (s) => {
        const policy = s.pimPolicies!.find((p) => p.role === "Virtual Machine User Login" && p.scope.endsWith("rg-vm-entra"))!;
        policy.maximumDuration = "PT30M";
      },
    });
    root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-entra-"));
    const xdg = runtimeDirOf(root);
    await fsp.mkdir(xdg, { recursive: true, mode: 0o700 });
    childEnv = { ...process.env, XDG_RUNTIME_DIR: xdg, TMPDIR: root };
    service = await startSimService(t, { user: ALICE, root, accessInput: async (request) => {
        inputsAsked.push(request.roleName ?? "?");
        return { justification: "entra chain test", durationMs: Math.min(60 * 60_000, request.maxDurationMs) };
      }, logger: logger });
  });

  after(async () => {
    await service?.dispose();
    await t?.stop();
    if (root) await fsp.rm(root, { recursive: true, force: true });
  });

  const vmEntra = () => service.inventory!.vms.find((v) => v.name === "vm-entra")!;

  it("lists vm-entra with its eligible login role, apart from the JIT role, and no Key Vault credential", () => {
    const vm = vmEntra();
    assert.ok(vm, "vm-entra is in the inventory");
    assert.equal(vm.eligibility?.roleName, "JIT VM Operator", "the access flow activates the JIT role");
    assert.equal(vm.entraLoginRole?.eligibility?.roleName, "Virtual Machine User Login");
    assert.equal(vm.entraLoginRole?.active, undefined);
    assert.equal(vm.readiness.credential.source, "unknown");
    assert.equal(service.entra.methodFor(vm, false), "entraId");
  });

  it("a VM without the extension or without a managed identity is refused before any access is requested, each with its fix", async () => {
    const before = (await t.control.pimRequests()).length;
    const byName = (name: string) => service.inventory!.vms.find((v) => v.name === name)!;
    await assert.rejects(service.connect(byName("vm-entra-noid").id), (e: unknown) => isJitError(e) && e.code === "EntraNoManagedIdentity" && /az vm identity assign/.test(e.message));
    await assert.rejects(service.connect(byName("vm-entra-noext").id), (e: unknown) => isJitError(e) && e.code === "EntraExtensionMissing" && /AADSSHLoginForLinux/.test(e.message));
    assert.equal((await t.control.pimRequests()).length, before, "no PIM request was sent");
    const report = await service.checkConnectivity(byName("vm-entra-noid").id);
    assert.equal(report.find((i) => i.check === "entraExtension")?.code, "EntraNoManagedIdentity");
    const good = await service.checkConnectivity(vmEntra().id);
    assert.equal(good.find((i) => i.check === "entraExtension")?.status, "ok");
    assert.match(good.find((i) => i.check === "entraRole")?.detail ?? "", /eligible/);
  });

  it("Connect: access, login role, certificate and SSH config; then `ssh <alias>` logs in as the UPN, with no Key Vault read", async () => {
    const auditStart = await t.control.lastAuditSeq();
    const info = await service.connect(vmEntra().id, undefined, (s) => steps.push(s));
    assert.equal(info.auth, "certificate");
    assert.deepEqual(inputsAsked, ["JIT VM Operator"], "the justification given once serves the login role too");
    for (const expected of [/Checking Microsoft Entra ID login/, /Requesting access/, /Activating "Virtual Machine User Login"/, /Getting an SSH certificate/]) assert.ok(steps.some((s) => expected.test(s)), `step ${expected}`);

    const keyFile = path.join(service.paths.keysDir, info.alias);
    assert.equal((await fsp.stat(keyFile)).mode & 0o777, 0o600);
    assert.equal((await fsp.stat(`${keyFile}-cert.pub`)).mode & 0o777, 0o600);
    const config = await fsp.readFile(service.paths.configFile, "utf8");
    assert.match(config, new RegExp(`Host ${info.alias}\\n(?:  .*\\n)*  User alice@contoso\\.example\\n`));
    assert.match(config, /  CertificateFile "?[^\n]*-cert\.pub"?\n/);

    const result = await run("ssh", ["-F", service.paths.userConfigFile, "-o", "BatchMode=yes", info.alias, 'echo "$(id -un) on $AZSIM_VM"'], childEnv);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "alice@contoso.example on vm-entra");

    const audit = await t.control.audit(auditStart);
    assert.equal(audit.filter((a) => a.service === "keyvault").length, 0, "no Key Vault secret is read");
    assert.ok(audit.some((a) => a.service === "login" && /ssh certificate for alice@contoso\.example/.test(a.detail ?? "")));
    const pim = (await t.control.pimRequests()).map((r) => r.role).sort();
    assert.deepEqual(pim, ["JIT VM Operator", "Virtual Machine User Login"]);
  });

  it("once the login role's activation expired, the VM refuses a new login although the grant and the tunnel still work", async () => {
    const grant = service.activeGrant(vmEntra().id)!;
    const alias = service.profiles.forVm(vmEntra().id)!.alias;
    await t.control.advanceClock(35 * 60);
    await service.refreshInventory();
    assert.ok(service.activeGrant(vmEntra().id), "the grant (JIT role + JIT) still runs");
    assert.ok(grant.expiresAt > Date.now() + 35 * 60_000 - 120_000);
    const result = await run("ssh", ["-F", service.paths.userConfigFile, "-o", "BatchMode=yes", alias, "true"], childEnv);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Permission denied/);
    assert.doesNotMatch(result.stderr, /No active access/);
  });

  it("after the grant: key, certificate and alias are gone", async () => {
    const vm = vmEntra();
    const grant = service.activeGrant(vm.id)!;
    const alias = service.profiles.forVm(vm.id)!.alias;
    const keyFile = path.join(service.paths.keysDir, alias);
    await t.control.advanceClock(Math.ceil((grant.expiresAt - Date.now()) / 1000) + 120);
    const expired = new Promise<void>((resolve) => service.onDidExpire(() => resolve()));
    await service.refreshInventory();
    await expired;
    await assert.rejects(fsp.stat(keyFile), { code: "ENOENT" });
    await assert.rejects(fsp.stat(`${keyFile}-cert.pub`), { code: "ENOENT" });
    assert.equal(service.profiles.forVm(vm.id), undefined);
    assert.doesNotMatch(await fsp.readFile(service.paths.configFile, "utf8"), new RegExp(alias));
  });

  it("no private key or token reached the log", () => {
    const log = logger.lines.join("\n");
    assert.doesNotMatch(log, /PRIVATE KEY/);
    assert.doesNotMatch(log, /eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}/);
  });
});
