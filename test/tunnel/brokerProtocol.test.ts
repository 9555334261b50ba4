import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BROKER_MAX_LINE_BYTES, encodeBrokerLine, isValidHost, parseBrokerReply, parseBrokerRequest } from "../../src/shared/brokerProtocol";
import { LineSplitter } from "../../src/shared/lineSplitter";

describe("broker protocol", { timeout: 60_000 }, () => {
  test("parses the three requests", () => {
    assert.deepEqual(parseBrokerRequest('{"v":1,"id":7,"op":"openSession","host":"vm-01","port":22}'), {
      ok: true,
      value: { v: 1, id: 7, op: "openSession", host: "vm-01", port: 22 },
    });
    assert.deepEqual(parseBrokerRequest('{"v":1,"id":8,"op":"getPassword","host":"vm-pw"}'), { ok: true, value: { v: 1, id: 8, op: "getPassword", host: "vm-pw" } });
    assert.deepEqual(parseBrokerRequest('{"v":1,"id":9,"op":"ping"}'), { ok: true, value: { v: 1, id: 9, op: "ping" } });
  });

  test("rejects malformed requests with a reason and, when it can, the id", () => {
    const cases: [string, number | null, RegExp][] = [
      ["not json", null, /not a JSON object/],
      ["[1,2]", null, /not a JSON object/],
      ['{"v":1,"op":"ping"}', null, /no numeric id/],
      ['{"id":1,"op":"ping"}', 1, /no protocol version/],
      ['{"v":1,"id":2,"op":"rm -rf"}', 2, /unknown operation/],
      ['{"v":1,"id":3,"op":"openSession","host":"vm 01","port":22}', 3, /needs a host/],
      ['{"v":1,"id":4,"op":"openSession","host":"vm-01","port":0}', 4, /port between/],
      ['{"v":1,"id":5,"op":"openSession","host":"vm-01","port":"22"}', 5, /port between/],
      [`{"v":1,"id":6,"op":"getPassword","host":"${"a".repeat(256)}"}`, 6, /needs a host/],
    ];
    for (const [line, id, message] of cases) {
      const parsed = parseBrokerRequest(line);
      assert.equal(parsed.ok, false, line);
      if (!parsed.ok) {
        assert.equal(parsed.id, id, line);
        assert.match(parsed.message, message, line);
      }
    }
  });

  test("host aliases: printable, no spaces or control characters, bounded", () => {
    assert.ok(isValidHost("vm-01"));
    assert.ok(isValidHost("azure-jit.vm-01.contoso"));
    for (const bad of ["", "vm 01", "vm\n01", "vm\u0000", "é", 42, undefined, "x".repeat(256)]) assert.equal(isValidHost(bad), false, String(bad));
  });

  test("replies: success carries the operation's result, failure carries code and message", () => {
    const session = { endpoint: "https://localhost:1", websocketUrl: "wss://localhost:1/webtunnelv2/t?X-Node-Id=n", authToken: "a", nodeId: "n" };
    const ok = parseBrokerReply("openSession", encodeBrokerLine({ v: 1, id: 1, ok: true, session }));
    assert.deepEqual(ok, { ok: true, value: { v: 1, id: 1, ok: true, session } });
    const refused = parseBrokerReply("openSession", '{"v":1,"id":1,"ok":false,"code":"RoleNotActive","message":"No active access for vm-01"}');
    assert.deepEqual(refused, { ok: true, value: { v: 1, id: 1, ok: false, code: "RoleNotActive", message: "No active access for vm-01" } });
    assert.equal(parseBrokerReply("openSession", '{"v":1,"id":1,"ok":true,"password":"x"}').ok, false, "a password is not a session");
    assert.equal(parseBrokerReply("getPassword", '{"v":1,"id":1,"ok":true,"password":"x"}').ok, true);
    assert.equal(parseBrokerReply("ping", "garbage").ok, false);
  });

  test("encoded messages are single lines", () => {
    const line = encodeBrokerLine({ v: 1, id: 1, ok: false, code: "X", message: "two\nlines" });
    assert.equal(line.indexOf("\n"), line.length - 1);
  });
});

describe("line splitter", { timeout: 60_000 }, () => {
  test("reassembles lines across chunks and keeps the remainder", () => {
    const splitter = new LineSplitter(100);
    assert.deepEqual(splitter.push(Buffer.from('{"a":')), { lines: [], overflow: false });
    assert.deepEqual(splitter.push(Buffer.from('1}\n{"b":2}\r\n{"c"')), { lines: ['{"a":1}', '{"b":2}'], overflow: false });
    assert.equal(splitter.bufferedBytes, 4);
    assert.deepEqual(splitter.push(Buffer.from(":3}\n")), { lines: ['{"c":3}'], overflow: false });
  });

  test("reports overflow instead of buffering a line without end", () => {
    const splitter = new LineSplitter(16);
    assert.equal(splitter.push(Buffer.alloc(10, 0x41)).overflow, false);
    assert.equal(splitter.push(Buffer.alloc(10, 0x41)).overflow, true);
    assert.equal(new LineSplitter(BROKER_MAX_LINE_BYTES).push(Buffer.alloc(BROKER_MAX_LINE_BYTES + 1, 0x41)).overflow, true);
  });

  test("multi-byte characters split across chunks survive", () => {
    const splitter = new LineSplitter(100);
    const bytes = Buffer.from("café\n");
    assert.deepEqual(splitter.push(bytes.subarray(0, 4)).lines, []);
    assert.deepEqual(splitter.push(bytes.subarray(4)).lines, ["café"]);
  });
});
