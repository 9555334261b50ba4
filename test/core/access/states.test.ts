import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canTransition, RESUMABLE_STATES, type StateKind, TRANSITIONS } from "../../../src/core/access/states";

const ALL = Object.keys(TRANSITIONS) as StateKind[];

describe("access state transitions (the table is data)", () => {
  it("every target is a known state", () => {
    for (const [from, targets] of Object.entries(TRANSITIONS)) for (const to of targets) assert.ok(ALL.includes(to), `${from} → ${to}`);
  });

  it("the happy path with approval is allowed, step by step", () => {
    const path: StateKind[] = ["idle", "readingPolicy", "awaitingInput", "activatingRole", "pendingApproval", "waitingForRole", "initiatingJit", "waitingForJit", "granted", "extending", "granted", "deactivating", "idle"];
    for (let i = 1; i < path.length; i++) assert.ok(canTransition(path[i - 1] as StateKind, path[i] as StateKind), `${path[i - 1]} → ${path[i]}`);
  });

  it("shortcuts that would skip a safeguard are refused", () => {
    const refused: [StateKind, StateKind][] = [
      ["idle", "granted"],
      ["readingPolicy", "activatingRole"], // input first: ask only for what the policy requires
      ["pendingApproval", "initiatingJit"], // the role must be effective before JIT
      ["activatingRole", "initiatingJit"],
      ["initiatingJit", "granted"], // JIT must be seen open
      ["denied", "granted"],
      ["expired", "granted"],
      ["extending", "cancelled"], // a cancelled extension keeps the grant
    ];
    for (const [from, to] of refused) assert.ok(!canTransition(from, to), `${from} → ${to} must be refused`);
  });

  it("every in-flight state can be cancelled or fail, and terminal states can start over", () => {
    for (const s of ["readingPolicy", "awaitingInput", "activatingRole", "pendingApproval", "waitingForRole", "initiatingJit", "waitingForJit"] as StateKind[]) {
      assert.ok(canTransition(s, "cancelled"), `${s} → cancelled`);
      assert.ok(canTransition(s, "failed"), `${s} → failed`);
    }
    for (const s of ["denied", "failed", "timedOut", "cancelled", "expired"] as StateKind[]) assert.ok(canTransition(s, "readingPolicy"), `${s} → readingPolicy`);
  });

  it("resumable states are the ones where Azure holds something of ours", () => {
    assert.deepEqual([...RESUMABLE_STATES].sort(), ["activatingRole", "initiatingJit", "pendingApproval", "waitingForJit", "waitingForRole"]);
  });
});
