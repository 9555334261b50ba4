/**
 * The list of running port forwards (src/core/service/activeForwards.ts) with stand-in ssh
 * processes: start, list per VM, an exit or a Stop removes the forward and announces it, a second
 * forward of the same VM port reuses the first. The real ssh through the simulator's Bastion is in
 * portForward.sim.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CancellationError } from "../../../src/core/cancellation";
import { forwardId, type ForwardsChange, PortForwards, wellKnownServer, WELL_KNOWN_REMOTE_PORTS } from "../../../src/core/service/activeForwards";
import type { PortForward } from "../../../src/core/service/portForward";

const VM_A = "/subscriptions/s/resourceGroups/rg-a/providers/Microsoft.Compute/virtualMachines/vm-a";
const VM_B = "/subscriptions/s/resourceGroups/rg-b/providers/Microsoft.Compute/virtualMachines/vm-b";

/** A stand-in for a running `ssh -N -L`: `close()` ends it as SIGTERM would, `exit()` as a dropped connection. */
interface FakeSsh extends PortForward {
  closed: number;
  exit(code: number | null, stderr?: string): void;
}

let nextPort = 50_000;
function fakeSsh(remotePort: number): FakeSsh {
  let end: (r: { code: number | null; stderr: string }) => void = () => undefined;
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => (end = resolve));
  const localPort = nextPort++;
  const ssh: FakeSsh = {
    alias: "azjit-x",
    localPort,
    remotePort,
    url: `http://127.0.0.1:${localPort}/`,
    exited,
    closed: 0,
    close: () => {
      ssh.closed++;
      end({ code: null, stderr: "" });
    },
    exit: (code, stderr = "") => end({ code, stderr }),
  };
  return ssh;
}

function world(): { forwards: PortForwards; changes: ForwardsChange[]; logs: string[]; started: FakeSsh[]; open(vmId: string, remotePort: number, vmName?: string): ReturnType<PortForwards["open"]> } {
  let clock = 1_000;
  const logs: string[] = [];
  const forwards = new PortForwards({ now: () => (clock += 1000), log: (l) => logs.push(l) });
  const changes: ForwardsChange[] = [];
  forwards.onDidChange((c) => changes.push(c));
  const started: FakeSsh[] = [];
  const open = (vmId: string, remotePort: number, vmName = vmId.split("/").pop()!): ReturnType<PortForwards["open"]> =>
    forwards.open({ vmId, vmName, remotePort }, async () => {
      const ssh = fakeSsh(remotePort);
      started.push(ssh);
      return ssh;
    });
  return { forwards, changes, logs, started, open };
}

/** Lets the `exited` continuations run. */
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

describe("active port forwards", () => {
  it("a started forward is listed under its VM with its ports, URL, server name and start time, and announced", async () => {
    const w = world();
    const { forward, reused } = await w.open(VM_A, 8888);
    assert.equal(reused, false);
    assert.equal(forward.id, forwardId(VM_A, 8888));
    assert.equal(forward.id, `${VM_A.toLowerCase()}/fwd:8888`);
    assert.deepEqual(
      { vmId: forward.vmId, vmName: forward.vmName, remotePort: forward.remotePort, localPort: forward.localPort, url: forward.url, server: forward.server, startedAt: forward.startedAt },
      { vmId: VM_A, vmName: "vm-a", remotePort: 8888, localPort: w.started[0]!.localPort, url: w.started[0]!.url, server: "Jupyter", startedAt: 2_000 },
    );
    await w.open(VM_B, 3000);
    assert.deepEqual(w.forwards.list(VM_A).map((f) => f.remotePort), [8888]);
    assert.deepEqual(w.forwards.list(VM_B.toUpperCase()).map((f) => f.remotePort), [3000], "VM ids compare as ARM ids do, case-insensitively");
    assert.equal(w.forwards.list(VM_B)[0]!.server, undefined);
    assert.deepEqual(w.forwards.list().map((f) => f.vmName), ["vm-a", "vm-b"]);
    assert.deepEqual(w.changes.map((c) => [c.vmId, c.forwards.map((f) => f.remotePort)]), [[VM_A, [8888]], [VM_B, [3000]]]);
  });

  it("a forward whose ssh exits (connection lost) leaves the list, the change is announced and logged", async () => {
    const w = world();
    await w.open(VM_A, 8888);
    await w.open(VM_A, 6006);
    w.changes.length = 0;
    w.started[0]!.exit(255, "Connection closed by remote host\nclient_loop: send disconnect: Broken pipe");
    await settle();
    assert.deepEqual(w.forwards.list(VM_A).map((f) => f.remotePort), [6006]);
    assert.deepEqual(w.changes.map((c) => [c.vmId, c.forwards.map((f) => f.remotePort)]), [[VM_A, [6006]]]);
    assert.equal(w.forwards.find(VM_A, 8888), undefined);
    assert.match(w.logs.join("\n"), /127\.0\.0\.1:\d+ → "vm-a":8888 ended \(ssh exit 255\): "client_loop: send disconnect: Broken pipe"/);
  });

  it("Stop ends ssh; the forward leaves the list once ssh has exited", async () => {
    const w = world();
    const { forward } = await w.open(VM_A, 8888);
    assert.equal(w.forwards.stop(forward.id), true);
    assert.equal(w.started[0]!.closed, 1);
    await settle();
    assert.deepEqual(w.forwards.list(), []);
    assert.deepEqual(w.changes.at(-1), { vmId: VM_A, forwards: [] });
    assert.equal(w.forwards.stop(forward.id), false, "nothing left to stop");
  });

  it("stopVm stops every forward of that VM only (its access ended)", async () => {
    const w = world();
    await w.open(VM_A, 8888);
    await w.open(VM_A, 6006);
    await w.open(VM_B, 8888);
    assert.equal(w.forwards.stopVm(VM_A.toLowerCase()), 2);
    await settle();
    assert.deepEqual(w.started.map((s) => s.closed), [1, 1, 0]);
    assert.deepEqual(w.forwards.list().map((f) => f.vmName), ["vm-b"]);
    assert.equal(w.forwards.stopVm(VM_A), 0);
    w.forwards.stopAll();
    await settle();
    assert.deepEqual(w.forwards.list(), []);
  });

  it("forwarding the same port of the same VM again reuses the running forward (no second ssh)", async () => {
    const w = world();
    const first = await w.open(VM_A, 8888);
    const again = await w.open(VM_A.toUpperCase(), 8888);
    assert.equal(again.reused, true);
    assert.equal(again.forward, first.forward);
    assert.equal(w.started.length, 1);
    // Another VM's 8888, or another port of this VM, is a forward of its own.
    assert.equal((await w.open(VM_B, 8888)).reused, false);
    assert.equal((await w.open(VM_A, 6006)).reused, false);
    assert.equal(w.started.length, 3);
    // Once the first has ended, the port is forwarded anew.
    w.started[0]!.exit(0);
    await settle();
    const fresh = await w.open(VM_A, 8888);
    assert.equal(fresh.reused, false);
    assert.notEqual(fresh.forward.localPort, first.forward.localPort);
  });

  it("two requests for the same VM port at once start one ssh; both get that forward", async () => {
    const w = world();
    const [a, b] = await Promise.all([w.open(VM_A, 8888), w.open(VM_A, 8888)]);
    assert.equal(w.started.length, 1);
    assert.equal(a.forward, b.forward);
    assert.deepEqual([a.reused, b.reused], [false, true]);
  });

  it("a forward that fails or is cancelled while starting is not listed, and the next request starts afresh", async () => {
    const forwards = new PortForwards({ now: () => 0, log: () => undefined });
    const request = { vmId: VM_A, vmName: "vm-a", remotePort: 8888 };
    await assert.rejects(forwards.open(request, async () => { throw new CancellationError(); }), CancellationError);
    assert.deepEqual(forwards.list(), []);
    const { reused } = await forwards.open(request, async () => fakeSsh(8888));
    assert.equal(reused, false);
    assert.equal(forwards.list().length, 1);
  });

  it("the well-known servers are one table: Jupyter 8888, TensorBoard 6006", () => {
    assert.deepEqual(WELL_KNOWN_REMOTE_PORTS.map((w) => [w.name, w.port]), [["Jupyter", 8888], ["TensorBoard", 6006]]);
    assert.equal(wellKnownServer(6006), "TensorBoard");
    assert.equal(wellKnownServer(22), undefined);
  });
});
