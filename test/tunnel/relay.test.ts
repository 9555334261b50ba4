import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { PassThrough, Readable, Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import WebSocket, { WebSocketServer } from "ws";
import { maskInPlace } from "../../src/core/bastion/maskedFrameWriter";
import { type RelayOptions, type RelayResult, startRelay } from "../../src/core/bastion/relay";

/** What a test's server does with each connection. */
type ServerBehaviour = (ws: WebSocket, req: IncomingMessage) => void;

/** A plain ws:// server standing in for the Bastion (the relay does not care about TLS). */
async function startServer(autoPong: boolean, onConnection: ServerBehaviour): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false, autoPong });
  wss.on("connection", onConnection);
  await new Promise<void>((r) => wss.once("listening", () => r()));
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

describe("relay (WebSocket ⇄ local stream)", { timeout: 5 * 60_000 }, () => {
  let server: { url: string; close(): Promise<void> };
  let silentServer: { url: string; close(): Promise<void> };
  let behaviour: ServerBehaviour = () => undefined;

  before(async () => {
    server = await startServer(true, (ws, req) => behaviour(ws, req));
    // A Bastion that stops answering pings.
    silentServer = await startServer(false, () => undefined);
  });
  after(async () => {
    await server.close();
    await silentServer.close();
  });

  async function connect(url = server.url): Promise<{ ws: WebSocket; transport: Socket }> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let transport: Socket | undefined;
    ws.on("upgrade", (res) => (transport = res.socket));
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => {
        ws.pause(); // as connectWebSocket does: nothing is lost before the relay listens
        resolve();
      });
      ws.once("error", reject);
    });
    assert.ok(transport);
    return { ws, transport };
  }

  /** Waits until `value()` stops changing for a few polls: the flow has stalled (backpressure held). */
  async function stalled(value: () => number): Promise<number> {
    let last = -1;
    let still = 0;
    for (let i = 0; i < 2000 && still < 8; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const v = value();
      still = v === last ? still + 1 : 0;
      last = v;
    }
    assert.equal(still, 8, "the flow never stalled");
    return last;
  }

  function collect(): { stream: Writable; hash: ReturnType<typeof createHash>; bytes: () => number } {
    const hash = createHash("sha256");
    let bytes = 0;
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        bytes += chunk.length;
        cb();
      },
    });
    return { stream, hash, bytes: () => bytes };
  }

  test("masks frames correctly at every alignment", () => {
    const key = Buffer.from([0x12, 0x34, 0x56, 0x78, 0x9a]);
    for (const offset of [0, 1, 2, 3]) {
      for (const length of [0, 1, 3, 4, 5, 7, 8, 125, 126, 65535, 65536]) {
        const backing = randomBytes(length + 8);
        const data = backing.subarray(offset, offset + length);
        const expected = Buffer.from(data.map((b, i) => b ^ (key[1 + (i & 3)] ?? 0)));
        maskInPlace(data, key, 1);
        assert.ok(data.equals(expected), `offset ${offset}, length ${length}`);
      }
    }
  });

  for (const fast of [true, false]) {
    test(`echo: bytes arrive intact both ways, input EOF closes with 1000 (${fast ? "in-place masking" : "ws.send"})`, async () => {
      const closes: number[] = [];
      behaviour = (ws) => {
        ws.on("message", (data: Buffer) => ws.send(data));
        ws.on("close", (code) => closes.push(code));
      };
      const { ws, transport } = await connect();
      const input = new PassThrough();
      const out = collect();
      const relay = startRelay(ws, input, out.stream, { ...(fast ? { transport } : {}), keepaliveIntervalMs: 0 });
      const sent = createHash("sha256");
      let total = 0;
      for (let i = 0; i < 200; i++) {
        // Sizes across the 7-bit, 16-bit and 64-bit length forms, and fresh buffers: the relay masks them in place.
        const chunk = randomBytes([1, 125, 126, 1000, 65535, 65536, 70000][i % 7] ?? 1);
        sent.update(chunk);
        total += chunk.length;
        input.write(chunk);
      }
      while (out.bytes() < total) await new Promise((r) => setTimeout(r, 10));
      input.end();
      const result = await relay.done;
      assert.equal(result.end.kind, "localEnded");
      assert.equal(result.bytesToRemote, total);
      assert.equal(result.bytesFromRemote, total);
      assert.equal(out.hash.digest("hex"), sent.digest("hex"));
      assert.ok(out.stream.writableFinished, "output ended");
      assert.deepEqual(closes, [1000]);
    });
  }

  test("the Bastion closing normally ends the output; input is no longer read", async () => {
    behaviour = (ws) => {
      ws.send(Buffer.from("bye"));
      ws.close(1000);
    };
    const { ws, transport } = await connect();
    const input = new PassThrough();
    const out = collect();
    const result = await startRelay(ws, input, out.stream, { transport }).done;
    assert.deepEqual(result.end, { kind: "remoteClosed", code: 1000, reason: "" });
    assert.equal(out.bytes(), 3);
    assert.ok(out.stream.writableFinished);
    assert.equal(input.listenerCount("data"), 0);
  });

  test("a dropped connection or a Bastion error code is a failure with a clear reason", async () => {
    behaviour = (ws) => ws.terminate();
    let conn = await connect();
    let result: RelayResult = await startRelay(conn.ws, new PassThrough(), collect().stream, { transport: conn.transport, target: "vm-01:22" }).done;
    assert.equal(result.end.kind, "failed");
    if (result.end.kind === "failed") {
      assert.equal(result.end.side, "remote");
      assert.match(result.end.error.message, /^The tunnel to vm-01:22 dropped: the connection to the Bastion was lost/);
    }

    behaviour = (ws) => ws.close(1011, "Cannot reach the VM: ECONNREFUSED");
    conn = await connect();
    result = await startRelay(conn.ws, new PassThrough(), collect().stream, { transport: conn.transport, target: "vm-01:22" }).done;
    assert.equal(result.end.kind, "failed");
    if (result.end.kind === "failed") {
      assert.equal(result.end.error.code, "BastionRefused", "closed before the VM said a word: the Bastion could not connect");
      assert.equal(result.end.error.message, "The Bastion could not open the tunnel to vm-01:22: Cannot reach the VM: ECONNREFUSED");
    }

    behaviour = (ws) => {
      ws.send(Buffer.from("SSH-2.0-OpenSSH_9.2\r\n"));
      ws.close(1011, "Connection to the VM failed: ECONNRESET");
    };
    conn = await connect();
    result = await startRelay(conn.ws, new PassThrough(), collect().stream, { transport: conn.transport, target: "vm-01:22" }).done;
    assert.equal(result.end.kind, "failed");
    if (result.end.kind === "failed") {
      assert.equal(result.end.error.code, "TunnelFailed");
      assert.equal(result.end.error.message, "The tunnel to vm-01:22 dropped: the Bastion closed it (code 1011: Connection to the VM failed: ECONNRESET)");
    }
  });

  test("abort closes both sides without waiting for a reader that never reads", async () => {
    const closes: number[] = [];
    behaviour = (ws) => {
      ws.on("close", (code) => closes.push(code));
      ws.send(randomBytes(1024 * 1024));
    };
    const { ws, transport } = await connect();
    const stuck = new Writable({ highWaterMark: 1024, write: () => undefined });
    const controller = new AbortController();
    const relay = startRelay(ws, new PassThrough(), stuck, { transport, signal: controller.signal });
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    const result = await relay.done;
    assert.equal(result.end.kind, "aborted");
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(closes, [1000]);
  });

  test("keepalive: a Bastion that stops answering is detected; one that answers is kept", async () => {
    behaviour = () => undefined;
    const options: RelayOptions = { keepaliveIntervalMs: 40 };
    // Answering: several intervals pass with no data, the tunnel stays up.
    let conn = await connect();
    let pings = 0;
    conn.ws.on("pong", () => pings++);
    const alive = startRelay(conn.ws, new PassThrough(), collect().stream, { ...options, transport: conn.transport });
    while (pings < 4) await new Promise((r) => setTimeout(r, 20));
    alive.close();
    assert.equal((await alive.done).end.kind, "aborted");

    conn = await connect(silentServer.url);
    const result = await startRelay(conn.ws, new PassThrough(), collect().stream, { ...options, transport: conn.transport, target: "vm-01:22" }).done;
    assert.equal(result.end.kind, "failed");
    if (result.end.kind === "failed") assert.match(result.end.error.message, /the Bastion did not answer for/);
  });

  test("upstream backpressure: a Bastion that stops reading stops the input, then everything arrives", async () => {
    const received = createHash("sha256");
    let receivedBytes = 0;
    let peer: WebSocket | undefined;
    behaviour = (ws) => {
      peer = ws;
      ws.pause();
      ws.on("message", (d: Buffer) => {
        received.update(d);
        receivedBytes += d.length;
      });
    };
    const { ws, transport } = await connect();
    const sent = createHash("sha256");
    let produced = 0;
    let stop = false;
    const source = new Readable({
      read() {
        if (stop) return void this.push(null);
        const chunk = randomBytes(64 * 1024);
        sent.update(chunk);
        produced += chunk.length;
        this.push(chunk);
      },
    });
    const relay = startRelay(ws, source, collect().stream, { transport, highWaterMark: 256 * 1024, keepaliveIntervalMs: 0 });
    const held = await stalled(() => produced);
    // Socket buffers in the kernel take a few MB on loopback; the point is that it stops at all.
    assert.ok(held < 64 * 1024 * 1024, `the input was read without bound (${held} bytes)`);
    assert.ok(ws.bufferedAmount <= 256 * 1024 + 2 * 64 * 1024, `buffered ${ws.bufferedAmount}`);
    stop = true;
    peer?.resume();
    const result = await relay.done;
    assert.equal(result.end.kind, "localEnded");
    while (receivedBytes < produced) await new Promise((r) => setTimeout(r, 10));
    assert.equal(received.digest("hex"), sent.digest("hex"));
  });

  test("downstream backpressure: a reader that stops reading pauses the WebSocket, then everything arrives", async () => {
    let serverSent = 0;
    let serverStop = false;
    behaviour = (ws) => {
      // A Bastion relaying a fast VM: sends whenever its own queue is short.
      const pump = (): void => {
        while (!serverStop && ws.readyState === ws.OPEN && ws.bufferedAmount < 1024 * 1024) {
          ws.send(Buffer.alloc(64 * 1024, serverSent & 0xff));
          serverSent += 64 * 1024;
        }
        if (serverStop) ws.close(1000);
        else setTimeout(pump, 5);
      };
      pump();
    };
    const { ws, transport } = await connect();
    let blocking = true;
    const parked: (() => void)[] = [];
    let delivered = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, cb) {
        delivered += chunk.length;
        if (blocking) parked.push(cb);
        else cb();
      },
    });
    const relay = startRelay(ws, new PassThrough(), slow, { transport, outputHighWaterMark: 256 * 1024, keepaliveIntervalMs: 0 });
    const held = await stalled(() => serverSent);
    assert.ok(held < 64 * 1024 * 1024, `the Bastion could send without bound (${held} bytes)`);
    assert.ok(slow.writableLength <= 256 * 1024 + 64 * 1024 * 4, `output buffered ${slow.writableLength}`);
    serverStop = true;
    blocking = false;
    for (const cb of parked.splice(0)) cb();
    const result = await relay.done;
    assert.equal(result.end.kind, "remoteClosed");
    assert.equal(result.bytesFromRemote, serverSent);
    assert.equal(delivered, serverSent);
  });
});
