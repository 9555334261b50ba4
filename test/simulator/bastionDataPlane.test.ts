import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { Readable } from "node:stream";
import { after, afterEach, before, describe, test } from "node:test";
import { type RawData, WebSocket } from "ws";
import { startBastionDataPlane } from "../../simulator/src/bastion";
import { type BastionDataPlane, type RunningVm, type VmSshSpec } from "../../simulator/src/contracts";
import { createVmHost, generateKeyPair, osUser, type SshdVmHost } from "../../simulator/src/vms";
import {
  asSession,
  deleteSession,
  proxyCommandFor,
  requestToken,
  simulatorTls,
  TestAuthority,
  TestHooks,
  TEST_AZTOKEN,
  tokenForm,
  type TunnelSession,
  tunnelUrl,
} from "../support/bastionTestKit";
import { makePrivateTempDir, runSsh, type SshResult, sha256, waitUntil, writeKnownHosts, writePrivateFile } from "../support/sshdTestKit";

const BASTION_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/bastionHosts/bas-hub";
const MiB = 1024 * 1024;
/** Not VMs: plain TCP servers the authority maps two ids to, for byte-exact relay checks. */
const ECHO_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/echo";
const GOODBYE_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/goodbye";

interface TunnelClient {
  ws: WebSocket;
  messages: Buffer[];
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a tunnel WebSocket; resolves with the HTTP status instead when the upgrade is refused. */
function openTunnel(url: string): Promise<TunnelClient | { refusedStatus: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const messages: Buffer[] = [];
    const closed = new Promise<{ code: number; reason: string }>((done) => ws.on("close", (code, reason) => done({ code, reason: reason.toString() })));
    ws.on("message", (data: RawData) => messages.push(Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)));
    ws.on("open", () => resolve({ ws, messages, closed }));
    ws.on("unexpected-response", (_req, res) => {
      res.resume();
      resolve({ refusedStatus: res.statusCode ?? 0 });
    });
    ws.on("error", reject);
  });
}

function isOpen(client: TunnelClient | { refusedStatus: number }): asserts client is TunnelClient {
  assert.ok("ws" in client, `upgrade refused with ${"refusedStatus" in client ? client.refusedStatus : "?"}`);
}

describe("Bastion data plane (token API + WebSocket relay to real sshd)", () => {
  let dir: string;
  let host: SshdVmHost;
  let vm: RunningVm;
  let spec: VmSshSpec;
  let keyFile: string;
  let knownHostsFile: string;
  let authority: TestAuthority;
  let hooks: TestHooks;
  let plane: BastionDataPlane;
  let counter = 0;
  let echo: net.Server;
  let goodbye: net.Server;

  before(async () => {
    dir = await makePrivateTempDir("azsim-bastion-test-");
    host = createVmHost({ baseDir: path.join(dir, "vms") });
    const key = await generateKeyPair("openssh-ed25519");
    keyFile = await writePrivateFile(dir, "id_ed25519", key.privateKey);
    spec = {
      vmId: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-dev/providers/Microsoft.Compute/virtualMachines/vm-bastion",
      vmName: "vm-bastion",
      loginUser: osUser(),
      authorizedKeys: [key.publicKey],
      passwordAuthentication: false,
    };
    vm = await host.start(spec);
    knownHostsFile = await writeKnownHosts(dir, "vm-bastion", vm.hostPublicKey);
    authority = new TestAuthority();
    authority.targets.set(spec.vmId, { host: "127.0.0.1", port: vm.port });
    echo = await listen((socket) => socket.pipe(socket));
    goodbye = await listen((socket) => socket.end("goodbye"));
    authority.targets.set(ECHO_ID, { host: "127.0.0.1", port: portOf(echo) });
    authority.targets.set(GOODBYE_ID, { host: "127.0.0.1", port: portOf(goodbye) });
    hooks = new TestHooks(authority);
    plane = await startBastionDataPlane({ bastionId: BASTION_ID, tls: await simulatorTls(), hooks });
  });

  after(async () => {
    await plane.close();
    echo.close();
    goodbye.close();
    await host.stopAll();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    authority.refuseToken = undefined;
    authority.refuseConnect = undefined;
    hooks.faults.length = 0;
    // Every test must leave no relay behind (sessions are deleted by the tests that open them).
    await waitUntil("no relay is left", () => plane.activeRelays() === 0);
  });

  async function newSession(vmId = spec.vmId): Promise<TunnelSession> {
    const res = await requestToken(plane.origin, tokenForm(vmId));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return asSession(res.body);
  }

  /** ssh through a fresh tunnel session, the session deleted afterwards (as the product does). */
  async function sshThroughBastion(command: string, options: { stdin?: Buffer | Readable; onSpawn?: (pid: number) => void } = {}): Promise<SshResult> {
    const session = await newSession();
    const proxyCommand = await proxyCommandFor(dir, `s${++counter}`, tunnelUrl(plane.dnsName, session));
    try {
      return await runSsh({ user: osUser(), knownHostsFile, hostKeyAlias: "vm-bastion", identityFile: keyFile, proxyCommand, command, ...options });
    } finally {
      await deleteSession(plane.origin, session);
    }
  }

  test("origin and dnsName name the HTTPS port on localhost", () => {
    assert.match(plane.origin, /^https:\/\/localhost:\d+$/);
    assert.equal(plane.origin, `https://${plane.dnsName}`);
  });

  test("token request, WebSocket, real ssh through the tunnel, DELETE: and nothing secret in the audit", async () => {
    const res = await requestToken(plane.origin, tokenForm(spec.vmId));
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ["authToken", "nodeId", "websocketToken"]);
    assert.equal(new Date(res.headers.get("date") ?? "").getTime(), hooks.simulatedNow);
    const session = asSession(res.body);
    assert.ok(session.websocketToken.length >= 40 && session.authToken.length >= 40, "tokens are long and random");
    const sent = authority.tokenRequests.at(-1);
    assert.equal(sent?.bastionId, BASTION_ID);
    assert.equal(sent?.form.get("aztoken"), TEST_AZTOKEN);
    assert.equal(plane.openSessions(), 1);

    const proxyCommand = await proxyCommandFor(dir, "first", tunnelUrl(plane.dnsName, session));
    assert.ok(!proxyCommand.includes(session.websocketToken), "the token is never in argv");
    const result = await runSsh({ user: osUser(), knownHostsFile, hostKeyAlias: "vm-bastion", identityFile: keyFile, proxyCommand, command: 'echo "$AZSIM_VM"' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "vm-bastion");
    assert.deepEqual(authority.connects.at(-1), { bastionId: BASTION_ID, target: { vmId: spec.vmId, port: 22 } });

    assert.equal(await deleteSession(plane.origin, session), 204);
    assert.equal(plane.openSessions(), 0);
    await waitUntil("the relay is closed", () => plane.activeRelays() === 0);

    const audit = JSON.stringify(hooks.auditLog);
    for (const secret of [session.authToken, session.websocketToken, TEST_AZTOKEN]) assert.ok(!audit.includes(secret));
    const seen = hooks.auditLog.map((e) => `${e.method} ${e.path} ${e.status}`);
    assert.ok(seen.includes("POST /api/tokens 200"));
    assert.ok(seen.includes("GET /webtunnelv2/<redacted> 101"));
    assert.ok(seen.includes("DELETE /api/tokens/<redacted> 204"));
    assert.equal(hooks.auditLog.find((e) => e.method === "POST")?.principal, authority.principal);
  });

  test("a refused token request answers with the decision's status and {message}", async () => {
    const message = "The client does not have authorization to perform action over scope";
    authority.refuseToken = { status: 403, message };
    const res = await requestToken(plane.origin, tokenForm(spec.vmId));
    assert.equal(res.status, 403);
    assert.deepEqual(res.body, { message });
    assert.equal(plane.openSessions(), 0);
  });

  test("malformed token requests are 400 {message}; the authority is not consulted", async () => {
    const before = authority.tokenRequests.length;
    const { aztoken: _dropped, ...withoutToken } = tokenForm(spec.vmId);
    const cases: [string, Promise<{ status: number; body: Record<string, unknown> }>][] = [
      ["JSON body", requestToken(plane.origin, tokenForm(spec.vmId), { contentType: "application/json" })],
      ["no aztoken", requestToken(plane.origin, withoutToken)],
      ["bad port", requestToken(plane.origin, { ...tokenForm(spec.vmId), workloadHostPort: "70000" })],
      ["wrong protocol", requestToken(plane.origin, { ...tokenForm(spec.vmId), protocol: "rdp" })],
      ["GET", requestToken(plane.origin, {}, { method: "GET" })],
    ];
    for (const [label, pending] of cases) {
      const res = await pending;
      assert.equal(res.status, 400, label);
      assert.equal(typeof res.body.message, "string", label);
    }
    assert.equal(authority.tokenRequests.length, before);
    const unknown = await fetch(`${plane.origin}/api/other`);
    assert.equal(unknown.status, 404);
    assert.equal(typeof ((await unknown.json()) as { message?: unknown }).message, "string");
  });

  test("the WebSocket token is single-use; unknown tokens and a wrong node are refused at the upgrade", async () => {
    const session = await newSession();
    const wrongNode = await openTunnel(`wss://${plane.dnsName}/webtunnelv2/${session.websocketToken}?X-Node-Id=00000000-0000-0000-0000-000000000000`);
    assert.deepEqual(wrongNode, { refusedStatus: 404 });
    const noNode = await openTunnel(`wss://${plane.dnsName}/webtunnelv2/${session.websocketToken}`);
    assert.deepEqual(noNode, { refusedStatus: 404 });

    const first = await openTunnel(tunnelUrl(plane.dnsName, session));
    isOpen(first);
    await waitUntil("the VM's SSH banner arrives", () => Buffer.concat(first.messages).toString().startsWith("SSH-2.0-"));
    first.ws.close();
    await first.closed;

    assert.deepEqual(await openTunnel(tunnelUrl(plane.dnsName, session)), { refusedStatus: 404 });
    assert.deepEqual(await openTunnel(`wss://${plane.dnsName}/webtunnelv2/${"x".repeat(43)}?X-Node-Id=${session.nodeId}`), { refusedStatus: 404 });
    assert.equal(await deleteSession(plane.origin, session), 204);
    assert.ok(hooks.auditLog.some((e) => e.detail === "websocket token already used"));
  });

  test("the Developer/QuickConnect shape /omni/webtunnel/{token} relays too", async () => {
    const session = await newSession();
    const client = await openTunnel(`wss://${plane.dnsName}/omni/webtunnel/${session.websocketToken}`);
    isOpen(client);
    await waitUntil("the VM's SSH banner arrives", () => Buffer.concat(client.messages).toString().startsWith("SSH-2.0-"));
    client.ws.close();
    assert.equal((await client.closed).code, 1005);
    assert.equal(await deleteSession(plane.origin, session), 204);
  });

  test("pings are answered; fragmented and large messages are relayed byte-exact", async () => {
    const session = await newSession(ECHO_ID);
    const client = await openTunnel(tunnelUrl(plane.dnsName, session));
    isOpen(client);
    const pong = new Promise<string>((resolve) => client.ws.once("pong", (data: Buffer) => resolve(data.toString())));
    client.ws.ping(Buffer.from("still there?"));
    assert.equal(await pong, "still there?");
    const [a, b, c, big] = [randomBytes(10), randomBytes(70_000), randomBytes(5), randomBytes(3 * MiB)];
    client.ws.send(a, { fin: false });
    client.ws.send(b, { fin: false });
    client.ws.send(c, { fin: true });
    client.ws.send(big);
    const parts = [a, b, c, big];
    const total = parts.reduce((n, p) => n + p.length, 0);
    await waitUntil("the echo is complete", () => client.messages.reduce((n, m) => n + m.length, 0) >= total);
    assert.deepEqual(Buffer.concat(client.messages), Buffer.concat(parts));
    client.ws.close();
    assert.equal((await client.closed).code, 1005);
    assert.equal(await deleteSession(plane.origin, session), 204);
  });

  test("the VM closing its side ends the WebSocket with 1000, after its data", async () => {
    const session = await newSession(GOODBYE_ID);
    const client = await openTunnel(tunnelUrl(plane.dnsName, session));
    isOpen(client);
    const closed = await client.closed;
    assert.equal(closed.code, 1000);
    assert.equal(Buffer.concat(client.messages).toString(), "goodbye");
    assert.equal(await deleteSession(plane.origin, session), 204);
  });

  test("a refused connection closes the WebSocket with the reason, and nothing is relayed", async () => {
    authority.refuseConnect = "No active JIT request opens port 22 to the Bastion subnet";
    const connectionsBefore = (await fsp.readFile(vm.logFile, "utf8")).split("Connection from").length;
    const session = await newSession();
    const client = await openTunnel(tunnelUrl(plane.dnsName, session));
    isOpen(client);
    client.ws.send(Buffer.from("SSH-2.0-OpenSSH_9.2\r\n"));
    const closed = await client.closed;
    assert.equal(closed.code, 1011);
    assert.equal(closed.reason, authority.refuseConnect);
    assert.equal(client.messages.length, 0);
    assert.equal((await fsp.readFile(vm.logFile, "utf8")).split("Connection from").length, connectionsBefore, "the VM saw no connection");
    assert.equal(await deleteSession(plane.origin, session), 204);
  });

  test("a text frame closes the tunnel with 1003", async () => {
    const session = await newSession();
    const client = await openTunnel(tunnelUrl(plane.dnsName, session));
    isOpen(client);
    client.ws.send("hello");
    assert.equal((await client.closed).code, 1003);
    assert.equal(await deleteSession(plane.origin, session), 204);
  });

  test("DELETE closes a live relay; a DELETE from the wrong node or a second DELETE is 404", async () => {
    const session = await newSession();
    const client = await openTunnel(tunnelUrl(plane.dnsName, session));
    isOpen(client);
    await waitUntil("the relay is live", () => plane.activeRelays() === 1 && client.messages.length > 0);
    const wrongNode = await fetch(`${plane.origin}/api/tokens/${session.authToken}`, { method: "DELETE", headers: { "X-Node-Id": "another-node" } });
    assert.equal(wrongNode.status, 404);
    assert.equal(await deleteSession(plane.origin, session), 204);
    const closed = await client.closed;
    assert.equal(closed.code, 1000);
    assert.equal(closed.reason, "Session deleted");
    await waitUntil("the relay is gone", () => plane.activeRelays() === 0);
    assert.equal(await deleteSession(plane.origin, session), 404);
    assert.equal(plane.openSessions(), 0);
  });

  test("64 MiB each way at the same time arrive intact", async (t) => {
    const size = 64 * MiB;
    const upload = hashingRandomStream(size);
    const started = Date.now();
    const result = await sshThroughBastion(
      // fd 3: a background job's stdin would be /dev/null without it.
      `exec 3<&0; sha256sum <&3 > "$AZSIM_VM_HOME/up.sha256" & head -c ${size} /dev/urandom | tee "$AZSIM_VM_HOME/down.bin"; wait`,
      { stdin: upload.stream },
    );
    const seconds = (Date.now() - started) / 1000;
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdoutBytes, size);
    assert.equal(result.stdoutSha256, sha256(await fsp.readFile(path.join(vm.homeDir, "down.bin"))));
    assert.equal((await fsp.readFile(path.join(vm.homeDir, "up.sha256"), "utf8")).split(" ")[0], upload.digest());
    t.diagnostic(`2 x 64 MiB through ssh + tunnel in ${seconds.toFixed(2)} s (informal)`);
    await fsp.rm(path.join(vm.homeDir, "down.bin"));
  });

  test("20 concurrent connections all arrive intact", async () => {
    const runs = Array.from({ length: 20 }, async (_, i) => {
      const sent = randomBytes(MiB + i);
      const result = await sshThroughBastion(`echo "$AZSIM_VM" >&2; cat > "$AZSIM_VM_HOME/up-${i}"; head -c ${MiB - i} /dev/urandom | tee "$AZSIM_VM_HOME/down-${i}"`, { stdin: sent });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr.trim(), "vm-bastion");
      assert.equal(sha256(await fsp.readFile(path.join(vm.homeDir, `up-${i}`))), sha256(sent));
      assert.equal(result.stdoutSha256, sha256(await fsp.readFile(path.join(vm.homeDir, `down-${i}`))));
    });
    await Promise.all(runs);
    assert.equal(plane.openSessions(), 0);
    await waitUntil("every relay is closed", () => plane.activeRelays() === 0);
  });

  test("killing the ssh client mid-transfer ends the relay (no hang)", async () => {
    let sshPid = 0;
    const pending = sshThroughBastion("head -c 4294967296 /dev/zero", { onSpawn: (pid) => (sshPid = pid) });
    await waitUntil("the relay is live", () => plane.activeRelays() === 1);
    process.kill(sshPid, "SIGKILL");
    const result = await pending;
    assert.equal(result.signal, "SIGKILL");
    await waitUntil("the relay is closed", () => plane.activeRelays() === 0);
    assert.equal(plane.openSessions(), 0);
  });

  test("fault dropWebSocketAfterBytes cuts a relay abruptly", async () => {
    hooks.faults.push({ match: /^GET \/webtunnelv2\/<redacted>$/, action: { dropWebSocketAfterBytes: 256 * 1024 } });
    const result = await sshThroughBastion("head -c 16777216 /dev/zero");
    assert.notEqual(result.code, 0);
    assert.ok(result.stdoutBytes < 256 * 1024, `${result.stdoutBytes} bytes got through`);
    await waitUntil("the relay is closed", () => plane.activeRelays() === 0);
  });

  test("latency and status faults on the token request", async () => {
    hooks.faults.push({ match: /^POST \/api\/tokens$/, action: { latencyMs: 400 } });
    const started = Date.now();
    const delayed = await requestToken(plane.origin, tokenForm(spec.vmId));
    assert.ok(Date.now() - started >= 400, "the answer waited for the injected latency");
    assert.equal(delayed.status, 200);
    assert.equal(await deleteSession(plane.origin, asSession(delayed.body)), 204);

    hooks.faults.push({ match: /^POST \/api\/tokens$/, action: { status: 429, retryAfterSeconds: 7 } });
    const throttled = await requestToken(plane.origin, tokenForm(spec.vmId));
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get("retry-after"), "7");
    assert.equal(typeof throttled.body.message, "string");
    assert.equal(plane.openSessions(), 0);

    const session = await newSession();
    hooks.faults.push({ match: /^GET \/webtunnelv2\//, action: { status: 503 } });
    assert.deepEqual(await openTunnel(tunnelUrl(plane.dnsName, session)), { refusedStatus: 503 });
    assert.equal(await deleteSession(plane.origin, session), 204);
  });

  test("stopping the VM mid-transfer ends the tunnel (no hang); a restarted VM is reachable again", async () => {
    const pending = sshThroughBastion("head -c 4294967296 /dev/zero");
    await waitUntil("the relay is live", () => plane.activeRelays() === 1);
    await host.stop(spec.vmId);
    const result = await pending;
    assert.notEqual(result.code, 0);
    await waitUntil("the relay is closed", () => plane.activeRelays() === 0);
    assert.equal(plane.openSessions(), 0);

    // The Bastion cannot reach a stopped VM: the tunnel opens, then closes with the reason.
    const session = await newSession();
    const client = await openTunnel(tunnelUrl(plane.dnsName, session));
    isOpen(client);
    const closed = await client.closed;
    assert.equal(closed.code, 1011);
    assert.match(closed.reason, /ECONNREFUSED/);
    assert.equal(await deleteSession(plane.origin, session), 204);

    vm = await host.start(spec);
    authority.targets.set(spec.vmId, { host: "127.0.0.1", port: vm.port });
    const again = await sshThroughBastion('echo "$AZSIM_VM"');
    assert.equal(again.stdout.trim(), "vm-bastion", again.stderr);
  });

  test("close() ends live relays and forgets sessions", async () => {
    const other = await startBastionDataPlane({ bastionId: BASTION_ID, tls: await simulatorTls(), hooks });
    const res = await requestToken(other.origin, tokenForm(spec.vmId));
    const client = await openTunnel(tunnelUrl(other.dnsName, asSession(res.body)));
    isOpen(client);
    await waitUntil("the relay is live", () => other.activeRelays() === 1);
    await other.close();
    assert.equal((await client.closed).code, 1006);
    assert.equal(other.activeRelays(), 0);
    assert.equal(other.openSessions(), 0);
    await other.close(); // idempotent
  });
});

function listen(onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => {
      socket.on("error", () => undefined);
      onConnection(socket);
    });
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function portOf(server: net.Server): number {
  const address = server.address();
  assert.ok(address && typeof address === "object");
  return address.port;
}

/** `size` random bytes as a stream, hashed on the way out (nothing held in memory). */
function hashingRandomStream(size: number): { stream: Readable; digest: () => string } {
  const hash = createHash("sha256");
  let remaining = size;
  const stream = new Readable({
    read() {
      if (remaining === 0) return void this.push(null);
      const chunk = randomBytes(Math.min(MiB, remaining));
      remaining -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, digest: () => hash.digest("hex") };
}
