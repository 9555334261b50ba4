/**
 * A slow reader on either side must not make the tunnel buffer without bound: 256 MiB flow through
 * `tunnel.js stdio` while one end reads slowly, and the tunnel process's peak resident memory
 * (VmHWM from /proc) stays under a generous bound and does not grow with the amount transferred.
 *
 * The far ends are plain TCP servers "behind the Bastion" (the in-test authority routes two
 * pseudo-VMs to them), so that the data flow is not throttled by SSH's own channel windows.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import type * as net from "node:net";
import { after, before, describe, test } from "node:test";
import { listenLocal, memoryOf, startTunnelWorld, type TunnelWorld, waitFor } from "./support/tunnelWorld";

const MB = 1024 * 1024;
const TOTAL = 256 * MB;
const BLOCK = randomBytes(64 * 1024);
/** Generous: a Node process idles around 40-50 MB; unbounded buffering would pass 256 MB. */
const PEAK_BOUND = 150 * MB;
/** Growth allowed between a quarter of the transfer and its end (GC timing, allocator slack). */
const GROWTH_BOUND = 40 * MB;

function expectedDigest(): string {
  const hash = createHash("sha256");
  for (let n = 0; n < TOTAL; n += BLOCK.length) hash.update(BLOCK);
  return hash.digest("hex");
}

/** Samples a process's peak RSS while `progress()` advances; returns the peak at a quarter and at the end. */
function sampleMemory(pid: number, progress: () => number): { atQuarter: () => number; atEnd: () => number; stop(): void } {
  let quarter = 0;
  let last = 0;
  const timer = setInterval(() => {
    void memoryOf(pid).then((m) => {
      if (!m) return;
      last = Math.max(last, m.peak);
      if (progress() <= TOTAL / 4) quarter = Math.max(quarter, m.peak);
    });
  }, 25);
  return { atQuarter: () => quarter, atEnd: () => last, stop: () => clearInterval(timer) };
}

/** Reads `socket`-like streams slowly: a pause after every chunk. */
function readSlowly(stream: NodeJS.ReadableStream & { pause(): unknown; resume(): unknown }, onChunk: (chunk: Buffer) => void): void {
  stream.on("data", (chunk: Buffer) => {
    onChunk(chunk);
    stream.pause();
    setTimeout(() => stream.resume(), 1);
  });
}

describe("backpressure: a slow reader keeps the tunnel's memory bounded", { timeout: 10 * 60_000 }, () => {
  let world: TunnelWorld;
  let firehose: Awaited<ReturnType<typeof listenLocal>>;
  let sink: Awaited<ReturnType<typeof listenLocal>>;
  const sunk = { bytes: 0, hash: createHash("sha256"), ended: false };

  before(async () => {
    // A VM that sends TOTAL bytes as fast as its socket takes them.
    firehose = await listenLocal((socket: net.Socket) => {
      let sent = 0;
      const pump = (): void => {
        while (sent < TOTAL) {
          sent += BLOCK.length;
          if (!socket.write(BLOCK)) return void socket.once("drain", pump);
        }
        socket.end();
      };
      pump();
    });
    // A VM that reads slowly.
    sink = await listenLocal((socket: net.Socket) => {
      readSlowly(socket, (chunk) => {
        sunk.bytes += chunk.length;
        sunk.hash.update(chunk);
      });
      socket.on("end", () => {
        sunk.ended = true;
        socket.end();
      });
    });
    world = await startTunnelWorld({
      vms: [],
      targets: { "vm-firehose": { host: "127.0.0.1", port: firehose.port }, "vm-sink": { host: "127.0.0.1", port: sink.port } },
    });
  });
  after(async () => {
    await world.close();
    await firehose.close();
    await sink.close();
  });

  test("VM → slow local reader (ssh not reading): 256 MiB, bounded memory", async () => {
    const child = spawn(process.execPath, [world.tunnelJs, "stdio", "vm-firehose", "--wait-broker", "0"], { env: world.env(), stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const hash = createHash("sha256");
    let received = 0;
    const memory = sampleMemory(child.pid ?? 0, () => received);
    readSlowly(child.stdout, (chunk) => {
      hash.update(chunk);
      received += chunk.length;
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    memory.stop();
    child.stdin.destroy();
    assert.equal(code, 0, stderr);
    assert.equal(received, TOTAL);
    assert.equal(hash.digest("hex"), expectedDigest());
    assert.ok(memory.atEnd() < PEAK_BOUND, `peak RSS ${Math.round(memory.atEnd() / MB)} MB`);
    assert.ok(memory.atEnd() - memory.atQuarter() < GROWTH_BOUND, `RSS grew from ${Math.round(memory.atQuarter() / MB)} MB to ${Math.round(memory.atEnd() / MB)} MB`);
    await waitFor("sessions deleted", () => world.dataPlane.openSessions() === 0);
  });

  test("local writer → slow VM: 256 MiB, bounded memory", async () => {
    const child = spawn(process.execPath, [world.tunnelJs, "stdio", "vm-sink", "--wait-broker", "0"], { env: world.env(), stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    let written = 0;
    const memory = sampleMemory(child.pid ?? 0, () => sunk.bytes);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    while (written < TOTAL) {
      written += BLOCK.length;
      if (!child.stdin.write(Buffer.from(BLOCK))) await new Promise((r) => child.stdin.once("drain", r));
    }
    child.stdin.end();
    const code = await exited;
    memory.stop();
    assert.equal(code, 0, stderr);
    await waitFor("the VM got everything", () => sunk.ended);
    assert.equal(sunk.bytes, TOTAL);
    assert.equal(sunk.hash.digest("hex"), expectedDigest());
    assert.ok(memory.atEnd() < PEAK_BOUND, `peak RSS ${Math.round(memory.atEnd() / MB)} MB`);
    assert.ok(memory.atEnd() - memory.atQuarter() < GROWTH_BOUND, `RSS grew from ${Math.round(memory.atQuarter() / MB)} MB to ${Math.round(memory.atEnd() / MB)} MB`);
    await waitFor("sessions deleted", () => world.dataPlane.openSessions() === 0);
  });
});
