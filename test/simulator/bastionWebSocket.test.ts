import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { CLOSE, FrameParser, frameHeader, type FrameHandler, OPCODE } from "../../simulator/src/bastion/websocket/frameParser";
import { unmaskInPlace } from "../../simulator/src/bastion/websocket/unmask";

/** A client-to-server frame as RFC 6455 §5.2 lays it out (masked unless told otherwise). */
function clientFrame(opcode: number, payload: Buffer, options: { fin?: boolean; masked?: boolean; rsv?: number; mask?: Buffer } = {}): Buffer {
  const { fin = true, masked = true, rsv = 0 } = options;
  const length = payload.length;
  const ext = length < 126 ? Buffer.alloc(0) : length < 0x10000 ? Buffer.alloc(2) : Buffer.alloc(8);
  if (ext.length === 2) ext.writeUInt16BE(length);
  if (ext.length === 8) ext.writeBigUInt64BE(BigInt(length));
  const len7 = length < 126 ? length : length < 0x10000 ? 126 : 127;
  const head = Buffer.from([(fin ? 0x80 : 0) | rsv | opcode, (masked ? 0x80 : 0) | len7]);
  if (!masked) return Buffer.concat([head, ext, payload]);
  const mask = options.mask ?? randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ mask[i & 3]!;
  return Buffer.concat([head, ext, mask, body]);
}

interface Recorded {
  binary: Buffer[];
  events: string[];
}

function recorder(): { handler: FrameHandler; seen: Recorded } {
  const seen: Recorded = { binary: [], events: [] };
  const handler: FrameHandler = {
    // The parser hands out slices of its input; a consumer that keeps them must not rely on later reuse.
    binary: (chunk) => seen.binary.push(Buffer.from(chunk)),
    text: () => seen.events.push("text"),
    ping: (p) => seen.events.push(`ping:${p.toString()}`),
    pong: (p) => seen.events.push(`pong:${p.toString()}`),
    close: (code, reason) => seen.events.push(`close:${code ?? "none"}:${reason}`),
    protocolError: (code) => seen.events.push(`error:${code}`),
  };
  return { handler, seen };
}

/** Feeds `stream` to a fresh parser in pieces cut at `cuts`. */
function parse(stream: Buffer, pieces: (length: number) => number[]): Recorded {
  const { handler, seen } = recorder();
  const parser = new FrameParser(handler);
  let pos = 0;
  for (const size of pieces(stream.length)) {
    parser.push(Buffer.from(stream.subarray(pos, pos + size)));
    pos += size;
  }
  if (pos < stream.length) parser.push(Buffer.from(stream.subarray(pos)));
  return seen;
}

const whole = (n: number): number[] => [n];
const byteByByte = (n: number): number[] => Array.from({ length: n }, () => 1);
const randomCuts = (n: number): number[] => {
  const sizes: number[] = [];
  for (let left = n; left > 0; ) {
    const size = Math.min(left, 1 + Math.floor(Math.random() * 5000));
    sizes.push(size);
    left -= size;
  }
  return sizes;
};

describe("tunnel WebSocket frames (RFC 6455)", () => {
  test("unmasking matches the byte-wise definition at every alignment and mask offset", () => {
    for (let trial = 0; trial < 500; trial++) {
      const data = randomBytes(Math.floor(Math.random() * 300));
      const mask = randomBytes(4);
      const offset = Math.floor(Math.random() * 8);
      const expected = Buffer.from(data.map((b, i) => b ^ mask[(offset + i) & 3]!));
      const padding = Math.floor(Math.random() * 4);
      const target = Buffer.concat([Buffer.alloc(padding), data]).subarray(padding);
      unmaskInPlace(target, mask, offset);
      assert.deepEqual(target, expected);
    }
  });

  test("binary payloads of every length class arrive intact however the stream is cut", () => {
    const payloads = [0, 1, 125, 126, 127, 65535, 65536, 200_000].map((n) => randomBytes(n));
    const stream = Buffer.concat(payloads.map((p) => clientFrame(OPCODE.binary, p)));
    for (const cuts of [whole, randomCuts]) {
      const seen = parse(stream, cuts);
      assert.deepEqual(Buffer.concat(seen.binary), Buffer.concat(payloads));
      assert.deepEqual(seen.events, []);
    }
    const small = Buffer.concat([clientFrame(OPCODE.binary, randomBytes(300)), clientFrame(OPCODE.ping, Buffer.from("p"))]);
    const seen = parse(small, byteByByte);
    assert.equal(Buffer.concat(seen.binary).length, 300);
    assert.deepEqual(seen.events, ["ping:p"]);
  });

  test("an all-zero mask (allowed, and cheaper for both ends) passes payload through", () => {
    const payload = randomBytes(70_000);
    const seen = parse(clientFrame(OPCODE.binary, payload, { mask: Buffer.alloc(4) }), randomCuts);
    assert.deepEqual(Buffer.concat(seen.binary), payload);
  });

  test("a fragmented message with a ping in the middle", () => {
    const stream = Buffer.concat([
      clientFrame(OPCODE.binary, Buffer.from("hel"), { fin: false }),
      clientFrame(OPCODE.ping, Buffer.from("are you there")),
      clientFrame(OPCODE.continuation, Buffer.from("lo "), { fin: false }),
      clientFrame(OPCODE.continuation, Buffer.from("world")),
      clientFrame(OPCODE.pong, Buffer.alloc(0)),
      clientFrame(OPCODE.close, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from("bye")])),
      clientFrame(OPCODE.binary, Buffer.from("after close is ignored")),
    ]);
    const seen = parse(stream, randomCuts);
    assert.equal(Buffer.concat(seen.binary).toString(), "hello world");
    assert.deepEqual(seen.events, ["ping:are you there", "pong:", "close:1000:bye"]);
  });

  test("protocol violations are reported with 1002 (1009 for absurd lengths) and stop the parser", () => {
    const cases: [string, Buffer, string][] = [
      ["unmasked client frame", clientFrame(OPCODE.binary, Buffer.from("x"), { masked: false }), `error:${CLOSE.protocolError}`],
      ["RSV1 without an extension", clientFrame(OPCODE.binary, Buffer.from("x"), { rsv: 0x40 }), `error:${CLOSE.protocolError}`],
      ["continuation without a message", clientFrame(OPCODE.continuation, Buffer.from("x")), `error:${CLOSE.protocolError}`],
      ["unknown opcode", clientFrame(0x3, Buffer.from("x")), `error:${CLOSE.protocolError}`],
      ["fragmented control frame", clientFrame(OPCODE.ping, Buffer.from("x"), { fin: false }), `error:${CLOSE.protocolError}`],
      ["control frame over 125 bytes", clientFrame(OPCODE.ping, Buffer.alloc(126)), `error:${CLOSE.protocolError}`],
      ["close frame with one byte", clientFrame(OPCODE.close, Buffer.from([3])), `error:${CLOSE.protocolError}`],
      ["text frame", clientFrame(OPCODE.text, Buffer.from("hello")), "text"],
      ["close without status", clientFrame(OPCODE.close, Buffer.alloc(0)), "close:none:"],
    ];
    for (const [label, frame, expected] of cases) {
      const seen = parse(Buffer.concat([frame, clientFrame(OPCODE.ping, Buffer.from("later"))]), whole);
      assert.deepEqual(seen.events, [expected], label);
    }
    const interleaved = parse(
      Buffer.concat([clientFrame(OPCODE.binary, Buffer.from("a"), { fin: false }), clientFrame(OPCODE.binary, Buffer.from("b"))]),
      whole,
    );
    assert.deepEqual(interleaved.events, [`error:${CLOSE.protocolError}`], "a new message before the previous one ended");
    const huge = Buffer.from([0x82, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 2, 3, 4]);
    assert.deepEqual(parse(huge, whole).events, [`error:${CLOSE.tooBig}`]);
  });

  test("server frame headers use the shortest length encoding", () => {
    assert.deepEqual([...frameHeader(OPCODE.binary, 0)], [0x82, 0]);
    assert.deepEqual([...frameHeader(OPCODE.binary, 125)], [0x82, 125]);
    assert.deepEqual([...frameHeader(OPCODE.binary, 126)], [0x82, 126, 0, 126]);
    assert.deepEqual([...frameHeader(OPCODE.close, 65535)], [0x88, 126, 0xff, 0xff]);
    assert.deepEqual([...frameHeader(OPCODE.binary, 65536)], [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]);
    assert.deepEqual([...frameHeader(OPCODE.binary, 2 ** 32 + 5)], [0x82, 127, 0, 0, 0, 1, 0, 0, 0, 5]);
  });
});
