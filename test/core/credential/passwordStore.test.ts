import assert from "node:assert/strict";
import { test } from "node:test";
import { PasswordStore } from "../../../src/core/credential/passwordStore";
import { isJitError } from "../../../src/core/errors";
import { ManualClock } from "./helpers/manualClock";

const A = "azjit-vm-password-beb7a4";
const B = "azjit-vm-other-123abc";
const MINUTE = 60_000;

test("get serves the password until its expiry, then forgets it", () => {
  const clock = new ManualClock();
  const store = new PasswordStore(clock);
  store.set(A, "s3cret!", clock.now() + 30 * MINUTE);
  assert.equal(store.get(A), "s3cret!");
  clock.advance(30 * MINUTE - 1);
  assert.equal(store.get(A), "s3cret!");
  clock.advance(1);
  assert.equal(store.get(A), undefined);
  assert.equal(store.has(A), false);
  assert.equal(clock.pending, 0);
});

test("replacing, deleting and clearing drop the timers too", () => {
  const clock = new ManualClock();
  const store = new PasswordStore(clock);
  store.set(A, "one", clock.now() + MINUTE);
  store.set(A, "two", clock.now() + 10 * MINUTE);
  clock.advance(MINUTE);
  assert.equal(store.get(A), "two", "the replaced entry's timer did not remove the new one");
  store.set(B, "other", clock.now() + MINUTE);
  store.delete(A);
  assert.equal(store.get(A), undefined);
  store.clear();
  assert.equal(store.get(B), undefined);
  assert.equal(clock.pending, 0);
});

test("an expiry beyond Node's timer range is honoured", () => {
  const clock = new ManualClock();
  const store = new PasswordStore(clock);
  const day = 24 * 60 * MINUTE;
  store.set(A, "long", clock.now() + 40 * day);
  clock.advance(30 * day);
  assert.equal(store.get(A), "long");
  clock.advance(10 * day);
  assert.equal(store.get(A), undefined);
});

test("a password already expired is not kept; a foreign alias is refused", () => {
  const clock = new ManualClock();
  const store = new PasswordStore(clock);
  store.set(A, "late", clock.now());
  assert.equal(store.get(A), undefined);
  assert.equal(clock.pending, 0);
  assert.throws(() => store.set("../x", "p", clock.now() + MINUTE), (e: unknown) => isJitError(e) && e.code === "InvalidInput");
});
