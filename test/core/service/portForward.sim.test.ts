/**
 * Port forwarding through the core service against the simulator (issue 11, point 5): a real
 * `ssh -N -L` through our Bastion tunnel to the VM's real sshd, which opens the forwarded port on
 * its localhost. The simulated VMs run on this machine's loopback, so the "server on the VM" is an
 * HTTP server this test listens with on 127.0.0.1. Each forward is listed under its VM, a second
 * forward of the same port reuses the first, and a forward leaves the list (with a change event)
 * when it is stopped, when ssh ends because the VM went away, and when the VM's access expires.
 */
import assert from "node:assert/strict";
import { promises as fsp } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { ActiveForward, ForwardsChange } from "../../../src/core/service/activeForwards";
import type { JitConnectService } from "../../../src/core/service/jitConnectService";
import { startTestSimulator, type TestSimulator } from "../../support/simulator";
import { runtimeDirOf, startSimService } from "../../support/simService";
import { memoryLogger } from "../access/support/simContext";
import { httpGet } from "../../support/httpGet";

const ALICE = "alice@contoso.example";

/** `promise`, or a failure naming `what` after `ms` (a forward that never ends fails the test, rather than hanging it). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe("port forwards through the simulator's Bastion, listed per VM", { timeout: 240_000 }, () => {
  let t: TestSimulator;
  let root: string;
  let service: JitConnectService;
  let server: http.Server;
  let serverPort: number;
  const token = randomBytes(8).toString("hex");
  const changes: ForwardsChange[] = [];
  const logger = memoryLogger();
  const vmId = (name: string): string => service.inventory!.vms.find((v) => v.name === name)?.id ?? assert.fail(`${name} is listed`);
  /** Resolves with the first change (already seen or still to come) that `test` accepts. */
  const changeWhere = async (test: (c: ForwardsChange) => boolean, since: number): Promise<ForwardsChange> => {
    for (;;) {
      const seen = changes.slice(since).find(test);
      if (seen) return seen;
      await new Promise<void>((resolve) => {
        const stop = service.forwards.onDidChange(() => {
          stop();
          resolve();
        });
      });
    }
  };

  before(async () => {
    server = http.createServer((req, res) => res.end(`${token} ${req.url ?? ""}`));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    serverPort = (server.address() as AddressInfo).port;
    t = await startTestSimulator("demo");
    root = await fsp.mkdtemp(path.join(os.tmpdir(), "ajc-forward-"));
    const xdg = runtimeDirOf(root);
    await fsp.mkdir(xdg, { recursive: true, mode: 0o700 });
    // The forward's ssh inherits this process's environment, as it inherits VS Code's: its
    // ProxyCommand (the tunnel program) finds this service's broker through XDG_RUNTIME_DIR.
    process.env.XDG_RUNTIME_DIR = xdg;
    service = await startSimService(t, { user: ALICE, root, logger });
    service.forwards.onDidChange((c) => changes.push(c));
  });

  after(async () => {
    await service?.dispose();
    await t?.stop();
    await new Promise((r) => server?.close(r));
    if (root) await fsp.rm(root, { recursive: true, force: true });
  });

  let first: ActiveForward | undefined;

  it("forwards a port of vm-ready: listed under the VM, announced, and a GET through the local port reaches the server on the VM's localhost", async () => {
    const id = vmId("vm-ready");
    const since = changes.length;
    const { forward, reused } = await service.forwardPort(id, serverPort, undefined);
    first = forward;
    assert.equal(reused, false);
    assert.equal(forward.vmId, id);
    assert.equal(forward.vmName, "vm-ready");
    assert.equal(forward.remotePort, serverPort);
    assert.equal(forward.url, `http://127.0.0.1:${forward.localPort}/`);
    assert.notEqual(forward.localPort, serverPort);
    assert.ok(Math.abs(forward.startedAt - Date.now()) < 60_000, "started now, on the local clock");
    assert.deepEqual(service.forwards.list(id), [forward]);
    assert.deepEqual(service.forwards.list(vmId("vm-dev-01")), []);
    const announced = await changeWhere((c) => c.vmId === id && c.forwards.includes(forward), since);
    assert.deepEqual(announced.forwards, [forward]);
    const reply = await httpGet(`${forward.url}through-the-tunnel`);
    assert.deepEqual(reply, { status: 200, body: `${token} /through-the-tunnel` });
  });

  it("forwarding the same port of vm-ready again reuses the running forward: no second ssh, same local port", async () => {
    assert.ok(first, "needs the first forward");
    const again = await service.forwardPort(vmId("vm-ready"), serverPort, undefined);
    assert.equal(again.reused, true);
    assert.equal(again.forward, first);
    assert.equal(service.forwards.list().length, 1);
  });

  it("Stop: ssh ends, the forward leaves the list with a change, and the local port no longer answers", async () => {
    assert.ok(first, "needs the first forward");
    const id = vmId("vm-ready");
    const since = changes.length;
    assert.equal(service.forwards.stop(first.id), true);
    await within(first.exited, 30_000, "ssh exits after Stop");
    await changeWhere((c) => c.vmId === id && c.forwards.length === 0, since);
    assert.deepEqual(service.forwards.list(), []);
    await assert.rejects(httpGet(first.url), /ECONNREFUSED|socket hang up|ECONNRESET/);
  });

  it("ssh ending by itself (the VM is stopped under it) removes the forward too, with a change and a log line", async () => {
    const id = vmId("gpu-ds-01");
    // gpu-ds-01 needs PIM and JIT first: the service's connect requests them (the form answers itself).
    const { forward } = await service.forwardPort(id, serverPort, undefined);
    assert.equal((await httpGet(forward.url)).body, `${token} /`);
    const since = changes.length;
    await t.control.setPower("gpu-ds-01", "deallocated");
    const { code } = await within(forward.exited, 60_000, "ssh exits once the VM is deallocated");
    assert.notEqual(code, 0, "ssh ended with an error, not by our hand");
    await changeWhere((c) => c.vmId === id && c.forwards.length === 0, since);
    assert.deepEqual(service.forwards.list(id), []);
    assert.ok(logger.lines.some((l) => /Port forward 127\.0\.0\.1:\d+ → "gpu-ds-01":\d+ ended \(ssh exit/.test(l)), logger.lines.join("\n"));
  });

  it("Deactivate stops the VM's forwards (its access ends here)", async () => {
    const id = vmId("vm-dev-01");
    const { forward } = await service.forwardPort(id, serverPort, undefined);
    assert.equal((await httpGet(forward.url)).status, 200);
    // PIM refuses a deactivation in the first five minutes of an activation.
    await t.control.advanceClock(6 * 60);
    const since = changes.length;
    await service.deactivate(id);
    await within(forward.exited, 30_000, "the forward stops on Deactivate");
    await changeWhere((c) => c.vmId === id && c.forwards.length === 0, since);
    assert.deepEqual(service.forwards.list(id), []);
  });

  it("access ended in Azure (deactivated in the portal) stops the VM's forwards at the next refresh", async () => {
    const id = vmId("vm-dev-01");
    const { forward, reused } = await service.forwardPort(id, serverPort, undefined);
    assert.equal(reused, false, "a new forward after the last one stopped");
    assert.equal((await httpGet(forward.url)).status, 200);
    await t.control.advanceClock(6 * 60);
    await t.control.portalDeactivate(ALICE, "vm-dev-01");
    await service.refreshInventory();
    assert.equal(service.activeGrant(id), undefined);
    await within(forward.exited, 30_000, "the forward stops when access ended in Azure");
    assert.deepEqual(service.forwards.list(id), []);
  });

  it("when vm-ready's access expires, its forwards stop and leave the list", async () => {
    const id = vmId("vm-ready");
    const { forward } = await service.forwardPort(id, serverPort, undefined);
    assert.equal((await httpGet(forward.url)).status, 200);
    const grant = service.activeGrant(id) ?? assert.fail("vm-ready has a grant");
    const since = changes.length;
    const expired = new Promise<void>((resolve) => service.onDidExpire((grants) => grants.some((g) => g.vmId === id) && resolve()));
    await t.control.advanceClock(Math.ceil((grant.expiresAt - Date.now()) / 1000) + 120);
    // The next Azure response carries the server's Date: the service's clock follows Azure's, and the countdown ends the grant.
    await service.refreshInventory();
    await within(expired, 30_000, "the grant expires");
    await within(forward.exited, 30_000, "the forward stops when the access expires");
    await changeWhere((c) => c.vmId === id && c.forwards.length === 0, since);
    assert.deepEqual(service.forwards.list(), []);
  });
});
