import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAnySource, parsePrefix, prefixCovers } from "../../../src/core/inventory/cidr";

describe("cidr", () => {
  it("parses prefixes and addresses", () => {
    assert.deepEqual(parsePrefix("10.0.1.0/26"), { start: 0x0a000100, end: 0x0a00013f });
    assert.deepEqual(parsePrefix("10.0.1.7"), { start: 0x0a000107, end: 0x0a000107 });
    assert.equal(parsePrefix("10.0.1.0/33"), undefined);
    assert.equal(parsePrefix("300.0.0.0/8"), undefined);
    assert.equal(parsePrefix("VirtualNetwork"), undefined);
  });

  it("decides coverage", () => {
    assert.ok(prefixCovers("*", "10.0.1.0/26"));
    assert.ok(prefixCovers("10.0.0.0/16", "10.0.1.0/26"));
    assert.ok(prefixCovers("10.0.1.0/26", "10.0.1.0/26"));
    assert.ok(!prefixCovers("10.0.1.0/27", "10.0.1.0/26"), "narrower does not cover");
    assert.ok(!prefixCovers("203.0.113.7", "10.0.1.0/26"), "the user's IP is not the Bastion subnet");
    assert.ok(isAnySource("0.0.0.0/0") && isAnySource("Any") && isAnySource("Internet"));
  });
});
