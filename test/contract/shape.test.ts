/** The "shape ⊇" comparator the contract tests rely on: each rule catches what it should. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { shapeGaps, unusedAllowances } from "./support/shape";

describe("shapeGaps", () => {
  it("reports a missing field and a field of another JSON type, by path", () => {
    const example = { id: "x", properties: { port: 22, open: true, prefixes: ["a"] } };
    assert.deepEqual(shapeGaps(example, { id: "y", properties: { port: "22", prefixes: ["b"] } }), [
      { path: "properties.port", problem: "string where the example has number" },
      { path: "properties.open", problem: "missing" },
    ]);
    assert.deepEqual(shapeGaps(example, { id: "y", properties: { port: 1, open: false, prefixes: [], extra: 1 } }), [], "values and extra fields do not matter");
  });

  it("an example null promises no type; an actual null where the example has a value is a gap", () => {
    assert.deepEqual(shapeGaps({ approvalId: null }, { approvalId: "/x" }), []);
    assert.deepEqual(shapeGaps({ approvalId: null }, {}), [{ path: "approvalId", problem: "missing" }]);
    assert.deepEqual(shapeGaps({ condition: "c" }, { condition: null }), [{ path: "condition", problem: "null where the example has string" }]);
  });

  it("array items are held to the fields every example item has", () => {
    const example = { value: [{ id: "a", logo: "l" }, { id: "b" }] };
    assert.deepEqual(shapeGaps(example, { value: [{ id: "c" }] }), [], "logo is on one example item only");
    assert.deepEqual(shapeGaps(example, { value: [{ name: "c" }] }), [{ path: "value[].id", problem: "missing" }]);
    assert.deepEqual(shapeGaps(example, { value: {} }), [{ path: "value", problem: "object where the example has array" }]);
  });

  it("tags are a map: the example's tag names are not demanded", () => {
    assert.deepEqual(shapeGaps({ tags: { key1: "value1" } }, { tags: {} }), []);
    assert.deepEqual(shapeGaps({ tags: { key1: "value1" } }, { tags: [] }), [{ path: "tags", problem: "array where the example has object" }]);
  });

  it("allowances excuse a missing or null field, and stale ones are found", () => {
    const allow = { "properties.condition": "not modelled", "properties.other": "stale" };
    assert.deepEqual(shapeGaps({ properties: { condition: "c" } }, { properties: {} }, allow), []);
    assert.deepEqual(shapeGaps({ properties: { condition: "c" } }, { properties: { condition: null } }, allow), []);
    assert.deepEqual(unusedAllowances({ properties: { condition: "c" } }, { properties: {} }, allow), ["properties.other"]);
  });
});
