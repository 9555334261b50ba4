/**
 * The tunnel against the whole simulator (demo scenario): a real Entra sign-in, the Bastion found
 * through ARM, the VM key read from Key Vault, and the simulator's own Bastion authority deciding
 * (RBAC, VNet peering, JIT on the NSG, power state). The broker handler does what the extension's
 * will: hold the ARM token and mint one Bastion session per connection.
 */
import { loopbackGet } from "../support/loopbackHttps";
import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type { DeviceCodeCredential } from "@azure/identity";
import { requestSession } from "../../src/core/bastion/tokenApi";
import { type BrokerServer, startBrokerServer } from "../../src/core/broker/brokerServer";
import { JitError } from "../../src/core/errors";
import { ExitCode } from "../../src/tunnel/exitCodes";
import { startTestSimulator, type TestSimulator } from "../support/simulator";
import { runTunnel, sshThroughTunnel, type SshTarget, tunnelProgram, waitFor } from "./support/tunnelWorld";

const UPN = "alice@contoso.example";

interface ArmList<T> {
  value: T[];
}
interface BastionHost {
  name: string;
  id: string;
  properties: { dnsName: string };
}
interface VirtualMachine {
  id: string;
  tags?: Record<string, string>;
}

describe("tunnel.js against the whole simulator", { timeout: 10 * 60_000 }, () => {
  let tsim: TestSimulator;
  let credential: DeviceCodeCredential;
  let broker: BrokerServer;
  let root: string;
  let target: SshTarget;
  let bastionDns: string;
  const vmIds = new Map<string, string>();

  async function armGet<T>(pathAndQuery: string): Promise<T> {
    const token = await credential.getToken(tsim.settings.armScope);
    assert.ok(token);
    const res = await fetch(`${tsim.settings.resourceManagerEndpoint.replace(/\/+$/, "")}${pathAndQuery}`, { headers: { authorization: `Bearer ${token.token}` } });
    assert.equal(res.status, 200, `GET ${pathAndQuery}`);
    return (await res.json()) as T;
  }

  before(async () => {
    tsim = await startTestSimulator("demo");
    credential = await tsim.signInWithDeviceCode(UPN);

    const ready = await tsim.control.vm("vm-ready");
    const subscription = ready.id.split("/")[2] ?? "";
    vmIds.set("vm-ready", ready.id);
    for (const name of ["vm-dev-01", "vm-legacy"]) vmIds.set(name, (await tsim.control.vm(name)).id);
    const bastions = await armGet<ArmList<BastionHost>>(`/subscriptions/${subscription}/providers/Microsoft.Network/bastionHosts?api-version=2024-01-01`);
    const hub = bastions.value.find((b) => b.name === "bas-hub");
    assert.ok(hub);
    bastionDns = hub.properties.dnsName;

    // The VM's key, where its tag says it is.
    const vm = await armGet<VirtualMachine>(`${ready.id}?api-version=2024-07-01`);
    const secretUri = vm.tags?.["azure-jit-connect.secret"];
    assert.ok(secretUri);
    const kvToken = await credential.getToken(`${tsim.settings.keyVaultAudience.replace(/\/+$/, "")}/.default`);
    assert.ok(kvToken);
    const secret = await loopbackGet(`${secretUri}?api-version=7.5`, { authorization: `Bearer ${kvToken.token}` });
    assert.equal(secret.status, 200);
    const { value: privateKey } = JSON.parse(secret.text) as { value: string };

    root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-wholesim-"));
    await fsp.mkdir(path.join(root, "run"), { mode: 0o700 });
    const keyFile = path.join(root, "id_vm_ready");
    await fsp.writeFile(keyFile, privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`, { mode: 0o600 });
    const knownHostsFile = path.join(root, "known_hosts");
    await fsp.writeFile(knownHostsFile, `vm-ready ${ready.hostPublicKey ?? ""}\nvm-dev-01 ${(await tsim.control.vm("vm-dev-01")).hostPublicKey ?? ""}\n`, { mode: 0o600 });
    const tunnelJs = await tunnelProgram();
    const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
      XDG_RUNTIME_DIR: path.join(root, "run"),
      TMPDIR: root,
      ELECTRON_RUN_AS_NODE: "1",
      ...extra,
    });
    target = {
      tunnelJs,
      knownHostsFile,
      keyFile,
      user: ready.loginUser ?? "root",
      env,
      proxyCommand: (extra = "") => `"${process.execPath}" "${tunnelJs}" stdio %h --port %p --wait-broker 0${extra ? ` ${extra}` : ""}`,
    };

    broker = await startBrokerServer({
      runtimeDir: path.join(root, "run", "azure-jit-connect"),
      handler: {
        async openSession(host, port, signal) {
          const resourceId = vmIds.get(host);
          if (!resourceId) throw new JitError("VmNotFound", `${host} is not an Azure JIT Connect host`);
          const token = await credential.getToken(tsim.settings.bastionScope, { abortSignal: signal });
          assert.ok(token);
          return requestSession({ endpoint: bastionDns, resourceId, port, armToken: token.token }, signal);
        },
        async getPassword(host) {
          throw new JitError("NoCredentialSource", `${host} has no password credential`);
        },
      },
    });
  });

  after(async () => {
    await broker?.close();
    await tsim?.stop();
    if (root) await fsp.rm(root, { recursive: true, force: true });
  });

  async function bastionCalls(since: number): Promise<string[]> {
    return (await tsim.control.audit(since)).filter((a) => a.service === "bastion").map((a) => `${a.method} ${a.path} ${a.status}`);
  }

  test("ssh to vm-ready (role active, JIT open) through bas-hub", async () => {
    const since = (await tsim.control.audit()).at(-1)?.seq ?? 0;
    const result = await sshThroughTunnel(target, { host: "vm-ready", command: 'echo "$AZSIM_VM"' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "vm-ready\n");
    await waitFor("the session is deleted", async () => (await bastionCalls(since)).includes("DELETE /api/tokens/<redacted> 204"));
    assert.deepEqual(await bastionCalls(since), ["POST /api/tokens 200", "GET /webtunnelv2/<redacted> 101", "DELETE /api/tokens/<redacted> 204"]);
  });

  test("vm-dev-01 without a JIT request: the Bastion cannot connect, and says why", async () => {
    const result = await sshThroughTunnel(target, { host: "vm-dev-01", command: "true" });
    assert.equal(result.code, 255);
    assert.match(result.stderr, /^azure-jit-connect: The Bastion could not open the tunnel to vm-dev-01:22: The network security group of 'vm-dev-01' does not allow port 22 from the Bastion subnet/m);
  });

  test("vm-legacy is not behind bas-hub: the token request is refused with the Bastion's message", async () => {
    const result = await sshThroughTunnel(target, { host: "vm-legacy", command: "true" });
    assert.equal(result.code, 255);
    assert.match(result.stderr, /^azure-jit-connect: The Bastion refused a tunnel to vm-legacy:22 \(HTTP 400\): The target virtual machine 'vm-legacy' is not in the Bastion's virtual network or a virtual network peered with it\.$/m);
  });

  test("JIT expired: no new connection, with the NSG reason", async () => {
    await tsim.control.advanceClock(2 * 3600);
    // A token issued at the new simulated time (the old one expired with the clock jump).
    credential = await tsim.signInWithDeviceCode(UPN);
    const result = await sshThroughTunnel(target, { host: "vm-ready", command: "true" });
    assert.equal(result.code, 255);
    assert.match(result.stderr, /^azure-jit-connect: The Bastion could not open the tunnel to vm-ready:22: The network security group of 'vm-ready' does not allow port 22/m);
  });

  test("vm-ready powered off: the Bastion cannot connect, and says why", async () => {
    await tsim.control.setPower("vm-ready", "stopped");
    const result = await sshThroughTunnel(target, { host: "vm-ready", command: "true" });
    assert.equal(result.code, 255);
    assert.match(result.stderr, /^azure-jit-connect: The Bastion could not open the tunnel to vm-ready:22: The virtual machine 'vm-ready' is not running \(stopped\)\.$/m);
    const direct = await runTunnel(target, ["stdio", "vm-ready", "--wait-broker", "0"], { keepStdinOpen: true });
    assert.equal(direct.code, ExitCode.refused, direct.stderr);
    assert.equal(direct.stdout, "");
  });
});
