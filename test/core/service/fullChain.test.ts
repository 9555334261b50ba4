/**
 * The whole chain from the core API and a plain `ssh` command line, against the simulator's demo
 * scenario: eligible VM → Request access (PIM, then JIT) → Key Vault key → our SSH config (Include
 * block in the user's config) → `ssh <alias> <command>` through our Bastion tunnel (the built
 * tunnel program as ProxyCommand, asking this service's broker for a session) → a command runs on
 * the VM's real sshd. Before access and after expiry the connection is refused for the right
 * reason, and after expiry the key file is gone.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { getBastionAccessToken } from "../../../src/core/bastion/bastionToken";
import { requestSession } from "../../../src/core/bastion/tokenApi";
import { connectWebSocket } from "../../../src/core/bastion/webSocketConnect";
import { MemoryCredentialChoiceStore } from "../../../src/core/credential/credentialSource";
import { JitConnectService } from "../../../src/core/service/jitConnectService";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { memoryLogger, productCredential, simCloud } from "../access/support/simContext";
import { tunnelProgram } from "../../tunnel/support/tunnelWorld";

const ALICE = "alice@contoso.example";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("full chain through the core service", { timeout: 180_000 }, () => {
  let t: TestSimulator;
  let root: string;
  let home: string;
  let service: JitConnectService;
  let childEnv: NodeJS.ProcessEnv;
  const logger = memoryLogger();
  const secretsSeen: string[] = [];

  before(async () => {
    t = await startTestSimulator("demo");
    root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-chain-"));
    home = path.join(root, "home");
    const xdg = path.join(root, "xdg");
    await fsp.mkdir(xdg, { recursive: true, mode: 0o700 });
    // ssh → ProxyCommand → tunnel.js finds this service's broker through XDG_RUNTIME_DIR. Nothing secret.
    childEnv = { ...process.env, XDG_RUNTIME_DIR: xdg, TMPDIR: root };
    service = await JitConnectService.create({
      cloud: simCloud(t),
      credential: await productCredential(t, ALICE),
      accessInput: async (request) => ({ justification: "full-chain test", durationMs: Math.min(60 * 60_000, request.maxDurationMs) }),
      storageDir: path.join(root, "storage"),
      home,
      tunnelProgram: { nodePath: process.execPath, tunnelScript: await tunnelProgram(), viaLauncher: false },
      credentialChoices: new MemoryCredentialChoiceStore(),
      confirmUserConfigEdit: async () => true,
      logger,
      brokerRuntimeDir: path.join(xdg, "azure-jit-connect"),
    });
    await service.signIn();
    await service.refreshInventory();
  });

  after(async () => {
    await service?.dispose();
    await t?.stop();
    if (root) await fsp.rm(root, { recursive: true, force: true });
  });

  it("lists vm-dev-01 as needing PIM activation", () => {
    const vm = service.vm(service.inventory?.vms.find((v) => v.name === "vm-dev-01")?.id ?? "");
    assert.ok(vm, "vm-dev-01 is in the inventory");
    assert.equal(vm.readiness.canRequestAccess, true);
    assert.equal(vm.readiness.canConnect, false);
  });

  it("before access, the Bastion refuses a tunnel to vm-dev-01 (no JIT rule opens port 22)", async () => {
    const vm = service.inventory!.vms.find((v) => v.name === "vm-dev-01")!;
    const ctx = service.azureContext()!;
    const token = await getBastionAccessToken(ctx, vm.tenantId);
    secretsSeen.push(token.token);
    const session = await requestSession({ endpoint: vm.bastion!.dnsName!, resourceId: vm.id, port: 22, armToken: token.token });
    const ws = await connectWebSocket(session.websocketUrl);
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => { ws.webSocket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })); ws.webSocket.resume(); });
    assert.notEqual(closed.code, 1000);
    assert.match(closed.reason, /JIT|network security|port 22|refused/i);
  });

  it("Connect: access, key and SSH config; then `ssh <alias> <command>` runs on the VM", async () => {
    const vm = service.inventory!.vms.find((v) => v.name === "vm-dev-01")!;
    const steps: string[] = [];
    const info = await service.connect(vm.id, undefined, (s) => steps.push(s));
    assert.ok(steps.some((s) => /Requesting access/.test(s)));
    assert.equal(info.auth, "key");
    assert.equal(info.includeInstalled, true);
    assert.ok(info.grant.expiresAt > Date.now());

    // The key is owner-only in an owner-only folder.
    const keyFile = path.join(service.paths.keysDir, info.alias);
    assert.equal((await fsp.stat(keyFile)).mode & 0o777, 0o600);
    assert.equal((await fsp.stat(service.paths.keysDir)).mode & 0o777, 0o700);
    secretsSeen.push(await fsp.readFile(keyFile, "utf8"));

    // A plain ssh reading the *user's* config: our Include block brings our host in.
    const vmHome = (await t.control.vm("vm-dev-01")).homeDir ?? assert.fail("the VM has a home folder");
    const result = await run("ssh", ["-F", service.paths.userConfigFile, "-o", "BatchMode=yes", info.alias, 'echo "on $AZSIM_VM"; echo proof > "$AZSIM_VM_HOME/full-chain"'], childEnv);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "on vm-dev-01");
    assert.equal((await fsp.readFile(path.join(vmHome, "full-chain"), "utf8")).trim(), "proof");

    // The host key was pinned on first use in our known_hosts, under the VM's HostKeyAlias.
    const known = await fsp.readFile(service.paths.knownHostsFile, "utf8");
    assert.match(known, /^azjit-[0-9a-f]+ ssh-ed25519 /m);
  });

  it("after expiry on the simulator's clock: refused again, and the key file is gone", async () => {
    const vm = service.inventory!.vms.find((v) => v.name === "vm-dev-01")!;
    const grant = service.activeGrant(vm.id)!;
    const alias = service.profiles.forVm(vm.id)!.alias;
    const keyFile = path.join(service.paths.keysDir, alias);
    await t.control.advanceClock(Math.ceil((grant.expiresAt - Date.now()) / 1000) + 120);
    // The next Azure response carries the server's Date: the service's clock follows Azure's.
    const expired = new Promise<void>((resolve) => service.onDidExpire(() => resolve()));
    await service.refreshInventory();
    await expired;
    await assert.rejects(fsp.stat(keyFile), { code: "ENOENT" });
    assert.equal(service.activeGrant(vm.id), undefined);

    const result = await run("ssh", ["-F", service.paths.userConfigFile, "-o", "BatchMode=yes", alias, "true"], childEnv);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /No active access to vm-dev-01/);

    // Azure agrees: the JIT window is closed, so the Bastion refuses the tunnel too.
    const ctx = service.azureContext()!;
    const token = await getBastionAccessToken(ctx, vm.tenantId);
    const session = await requestSession({ endpoint: vm.bastion!.dnsName!, resourceId: vm.id, port: 22, armToken: token.token });
    const ws = await connectWebSocket(session.websocketUrl);
    const closed = await new Promise<number>((resolve) => { ws.webSocket.once("close", (code) => resolve(code)); ws.webSocket.resume(); });
    assert.notEqual(closed, 1000);
  });

  it("no token or key reached the log, and the journal holds no secret", async () => {
    const log = logger.lines.join("\n");
    const journal = await fsp.readFile(path.join(root, "storage", "audit", (await fsp.readdir(path.join(root, "storage", "audit")))[0]!), "utf8");
    for (const secret of secretsSeen) {
      for (const piece of [secret.slice(0, 40), secret.slice(-40)]) {
        assert.ok(!log.includes(piece), "a secret reached the log");
        assert.ok(!journal.includes(piece), "a secret reached the journal");
      }
    }
    assert.match(journal, /"type":"connectionOpened"/);
  });
});
