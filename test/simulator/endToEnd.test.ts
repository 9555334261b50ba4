/**
 * End to end through the whole simulated path, as the product will drive it: device-code sign-in
 * → PIM activation → JIT initiate → Bastion token form with the ARM token → WebSocket → real ssh
 * (vault key, test relay as ProxyCommand) → `echo $AZSIM_VM` on the VM's sshd. Without JIT the
 * Bastion refuses the tunnel; a Basic Bastion refuses the token.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { DeviceCodeCredential } from "@azure/identity";
import { startTestSimulator, type TestSimulator } from "../support/simulator";
import { clients } from "./sdkClients";

const run = promisify(execFile);
const ALICE = "alice@contoso.example";
const RELAY = path.join(__dirname, "fixtures", "wsRelay.mjs");

interface BastionSession {
  authToken: string;
  nodeId: string;
  websocketToken: string;
}

describe("end to end: PIM → JIT → Bastion → ssh", () => {
  let ts: TestSimulator;
  let alice: DeviceCodeCredential;
  let dev: string;
  let tmp: string;
  let bastionHost: string;
  let bastionPrefix: string;

  const vmId = (name: string): string => `/subscriptions/${dev}/resourceGroups/rg-${name}/providers/Microsoft.Compute/virtualMachines/${name}`;

  async function requestSession(host: string, vm: string): Promise<{ status: number; body: BastionSession & { message?: string } }> {
    const token = await alice.getToken(ts.settings.bastionScope);
    const res = await fetch(`https://${host}/api/tokens`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ resourceId: vmId(vm), protocol: "tcptunnel", workloadHostPort: "22", aztoken: token!.token }),
    });
    return { status: res.status, body: (await res.json()) as BastionSession & { message?: string } };
  }

  async function ssh(vm: string, session: BastionSession, auth: "key" | "password" = "key"): Promise<{ code: number; stdout: string; stderr: string }> {
    const { args, env } = await sshCommand(vm, session, auth, "echo AZSIM_VM=$AZSIM_VM");
    try {
      const { stdout, stderr } = await run("ssh", args, { timeout: 30_000, env });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof err.code === "number" ? err.code : 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
    }
  }

  /** The ssh command line through the test relay for one Bastion session (key or password via askpass). */
  async function sshCommand(vm: string, session: BastionSession, auth: "key" | "password", command: string): Promise<{ args: string[]; env: NodeJS.ProcessEnv }> {
    const urlFile = path.join(tmp, `${randomUUID()}.url`);
    await fsp.writeFile(urlFile, `wss://${bastionHost}/webtunnelv2/${session.websocketToken}?X-Node-Id=${session.nodeId}`, { mode: 0o600 });
    const vault = ts.sim.scenario.vaults.find((v) => v.name === "kv-contoso")!;
    const secret = await clients(ts, alice).secrets(vault.uri).getSecret(`${vm}-${auth === "key" ? "ssh-key" : "password"}`);
    const secretFile = path.join(tmp, `${vm}.${auth}`);
    await fsp.writeFile(secretFile, auth === "password" || secret.value!.endsWith("\n") ? secret.value! : `${secret.value}\n`, { mode: 0o600 });
    const askpass = path.join(tmp, "askpass.sh");
    await fsp.writeFile(askpass, `#!/bin/sh\ncat '${secretFile}'\n`, { mode: 0o700 });
    const user = ts.sim.scenario.vms.find((v) => v.name === vm)!.adminUsername;
    const authArgs =
      auth === "key"
        ? ["-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", secretFile]
        : ["-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive", "-o", "NumberOfPasswordPrompts=1"];
    return {
      args: [
        "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", `UserKnownHostsFile=${path.join(tmp, "known_hosts")}`, "-o", "ConnectTimeout=20",
        ...authArgs,
        "-o", `ProxyCommand=${process.execPath} ${RELAY} ${urlFile}`,
        `${user}@${vm}`, command,
      ],
      env: { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force", DISPLAY: ":0" },
    };
  }

  before(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "azsim-e2e-"));
    ts = await startTestSimulator("demo");
    alice = await ts.signInWithDeviceCode(ALICE);
    dev = ts.sim.scenario.subscriptions.find((s) => s.name === "Contoso Dev")!.id;
    const network = clients(ts, alice, dev).network;
    const bastion = await network.bastionHosts.get("rg-network", "bas-hub");
    bastionHost = bastion.dnsName!;
    const subnetId = bastion.ipConfigurations![0]!.subnet!.id!;
    const hub = await network.virtualNetworks.get("rg-network", "hub-vnet");
    bastionPrefix = hub.subnets!.find((s) => s.id === subnetId)!.addressPrefix!;
  });
  after(async () => {
    await ts.stop();
    await fsp.rm(tmp, { recursive: true, force: true });
  });

  it("connects only after the role is active and a JIT request covers the Bastion subnet", async () => {
    const auth = clients(ts, alice, dev).authorization;
    const security = clients(ts, alice, dev).security;
    const scope = `subscriptions/${dev}/resourceGroups/rg-vm-dev-01`;

    // 1. PIM activation.
    const eligibility = (await auth.roleEligibilityScheduleInstances.listForScope(scope, { filter: "asTarget()" }).next()).value!;
    const user = ts.sim.scenario.users.find((u) => u.upn === ALICE)!;
    const activation = await auth.roleAssignmentScheduleRequests.create(scope, randomUUID(), {
      principalId: user.objectIds.get(user.homeTenantId)!,
      roleDefinitionId: eligibility.roleDefinitionId!,
      requestType: "SelfActivate",
      linkedRoleEligibilityScheduleId: eligibility.roleEligibilityScheduleId!.split("/").pop()!, // the schedule name, as in the API example
      justification: "end-to-end test",
      scheduleInfo: { startDateTime: new Date(), expiration: { type: "AfterDuration", duration: "PT1H" } },
    });
    assert.equal(activation.status, "Provisioned");

    // 2. Without JIT: the token is issued (ARM-level checks pass) but the tunnel is refused.
    const refusedSession = await requestSession(bastionHost, "vm-dev-01");
    assert.equal(refusedSession.status, 200, refusedSession.body.message);
    const refused = await ssh("vm-dev-01", refusedSession.body);
    assert.notEqual(refused.code, 0);
    assert.doesNotMatch(refused.stdout, /AZSIM_VM=/);
    assert.match(refused.stderr, /network security group/);

    // 3. JIT for the Bastion subnet, then the real ssh reaches the VM.
    const jit = await security.jitNetworkAccessPolicies.initiate("rg-vm-dev-01", "westeurope", "default", {
      virtualMachines: [{ id: vmId("vm-dev-01"), ports: [{ number: 22, allowedSourceAddressPrefix: bastionPrefix, endTimeUtc: new Date(Date.now() + 3600_000) }] }],
      justification: "end-to-end test",
    });
    assert.equal(jit.virtualMachines[0]!.ports[0]!.status, "Initiated");
    const session = await requestSession(bastionHost, "vm-dev-01");
    assert.equal(session.status, 200, session.body.message);
    const ok = await ssh("vm-dev-01", session.body);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^AZSIM_VM=vm-dev-01$/m);

    // 4. The websocket token is single use; DELETE ends the session.
    const again = await ssh("vm-dev-01", session.body);
    assert.notEqual(again.code, 0);
    const del = await fetch(`https://${bastionHost}/api/tokens/${session.body.authToken}`, { method: "DELETE", headers: { "X-Node-Id": session.body.nodeId } });
    assert.equal(del.status, 204);

    // 5. JIT expiry on the simulated clock closes the NSG for new tunnels.
    await ts.control.advanceClock(3600 + 60);
    alice = await ts.signInWithDeviceCode(ALICE);
    const late = await requestSession(bastionHost, "vm-dev-01");
    assert.equal(late.status, 200, "Reader still allows the token request");
    const closed = await ssh("vm-dev-01", late.body);
    assert.notEqual(closed.code, 0);
    assert.match(closed.stderr, /network security group/);
  });

  it("a VM with no JIT policy is never reachable; a Basic Bastion refuses native-client tokens", async () => {
    const noJit = await requestSession(bastionHost, "vm-nojit");
    assert.equal(noJit.status, 200, "Reader suffices for the token");
    const refused = await ssh("vm-nojit", noJit.body);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /no active JIT request/);
    const legacy = ts.sim.scenario.bastions.find((b) => b.name === "bas-legacy")!;
    const basic = await requestSession(legacy.dnsName, "vm-legacy");
    assert.equal(basic.status, 400);
    assert.match(basic.body.message ?? "", /SKU must be Standard or Premium and Native Client must be enabled/);
    const locked = ts.sim.scenario.bastions.find((b) => b.name === "bas-locked")!;
    assert.equal((await requestSession(locked.dnsName, "vm-locked")).status, 400);
    const unreachable = await requestSession(bastionHost, "vm-legacy");
    assert.equal(unreachable.status, 400, "vm-legacy's VNet is not peered with the hub");
  });

  it("a password VM accepts the vault's password through askpass", async (t) => {
    const info = await ts.control.vm("vm-password");
    if (info.passwordLoginUnavailable) {
      t.skip(info.passwordLoginUnavailable);
      return;
    }
    const scope = `subscriptions/${dev}/resourceGroups/rg-vm-password`;
    const auth = clients(ts, alice, dev).authorization;
    const eligibility = (await auth.roleEligibilityScheduleInstances.listForScope(scope, { filter: "asTarget()" }).next()).value!;
    const user = ts.sim.scenario.users.find((u) => u.upn === ALICE)!;
    await auth.roleAssignmentScheduleRequests.create(scope, randomUUID(), {
      principalId: user.objectIds.get(user.homeTenantId)!,
      roleDefinitionId: eligibility.roleDefinitionId!,
      requestType: "SelfActivate",
      justification: "password VM",
      scheduleInfo: { expiration: { type: "AfterDuration", duration: "PT1H" } },
    });
    const now = await ts.control.now();
    await clients(ts, alice, dev).security.jitNetworkAccessPolicies.initiate("rg-vm-password", "westeurope", "default", {
      virtualMachines: [{ id: vmId("vm-password"), ports: [{ number: 22, allowedSourceAddressPrefix: bastionPrefix, endTimeUtc: new Date(now.getTime() + 1800_000) }] }],
    });
    const session = await requestSession(bastionHost, "vm-password");
    assert.equal(session.status, 200, session.body.message);
    const ok = await ssh("vm-password", session.body, "password");
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^AZSIM_VM=vm-password$/m);
  });

  it("Bastion faults from the control API: a 429 on the token API, a WebSocket dropped mid-session", async () => {
    await ts.control.addFault({ match: { service: "bastion", method: "POST", pathRegex: "^/api/tokens$" }, status: 429, retryAfterSeconds: 3, count: 1 });
    const throttled = await requestSession(bastionHost, "vm-ready");
    assert.equal(throttled.status, 429);
    // The clock moved past the scenario's JIT request for vm-ready; its role (8 h) is still active.
    const now = await ts.control.now();
    await clients(ts, alice, dev).security.jitNetworkAccessPolicies.initiate("rg-vm-ready", "westeurope", "default", {
      virtualMachines: [{ id: vmId("vm-ready"), ports: [{ number: 22, allowedSourceAddressPrefix: bastionPrefix, endTimeUtc: new Date(now.getTime() + 1800_000) }] }],
    });
    await ts.control.addFault({ match: { service: "bastion", pathRegex: "^/webtunnelv2/" }, dropWebSocketAfterBytes: 200, count: 1 });
    const session = await requestSession(bastionHost, "vm-ready");
    assert.equal(session.status, 200, session.body.message);
    const dropped = await ssh("vm-ready", session.body);
    assert.notEqual(dropped.code, 0, "the relay was cut during the SSH handshake");
    assert.doesNotMatch(dropped.stderr, /network security group/);
    const next = await requestSession(bastionHost, "vm-ready");
    const ok = await ssh("vm-ready", next.body);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^AZSIM_VM=vm-ready$/m);
  });

  it("an open connection outlives its JIT window; a new one after expiry is refused", async () => {
    const now = await ts.control.now();
    await clients(ts, alice, dev).security.jitNetworkAccessPolicies.initiate("rg-vm-ready", "westeurope", "default", {
      virtualMachines: [{ id: vmId("vm-ready"), ports: [{ number: 22, allowedSourceAddressPrefix: bastionPrefix, endTimeUtc: new Date(now.getTime() + 600_000) }] }],
    });
    const session = await requestSession(bastionHost, "vm-ready");
    assert.equal(session.status, 200, session.body.message);
    const { args, env } = await sshCommand("vm-ready", session.body, "key", 'echo ready; read line; echo "after-$line"');
    const child = spawn("ssh", args, { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes("ready")) resolve();
      });
      child.on("close", () => reject(new Error(`ssh ended before it was ready: ${stderr}`)));
    });
    await ts.control.advanceClock(11 * 60);
    alice = await ts.signInWithDeviceCode(ALICE);
    const late = await requestSession(bastionHost, "vm-ready");
    const refused = await ssh("vm-ready", late.body);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /network security group/);
    child.stdin.end("still-open\n");
    assert.equal(await exited, 0, stderr);
    assert.match(stdout, /after-still-open/);
  });

  it("stops the VM's sshd on power-off and starts it on power-on", async () => {
    const before = await ts.control.vm("vm-nojit");
    assert.ok(before.running && before.sshPort);
    const off = await ts.control.setPower("vm-nojit", "stopped");
    assert.equal(off.running, false);
    await assert.rejects(fetch(`http://127.0.0.1:${before.sshPort}/`), "nothing listens any more");
    const on = await ts.control.setPower("vm-nojit", "running");
    assert.ok(on.running && on.sshPort);
  });
});
