// Tests for frontend/static/js/state.js: the one state object and its subscribers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createStore, changed, configPatch } from "../../frontend/static/js/state.js";

test("setState merges shallowly and notifies with prev and next", () => {
  const store = createStore({ a: 1, config: { lr: 0.1 } });
  const seen = [];
  store.subscribe((s, prev) => seen.push([prev.a, s.a]));
  store.setState({ a: 2 });
  store.setState((s) => ({ a: s.a + 1 }));
  assert.deepEqual(seen, [[1, 2], [2, 3]]);
  assert.deepEqual(store.get().config, { lr: 0.1 });
});

test("a null patch notifies nobody; unsubscribe stops notifications", () => {
  const store = createStore({ a: 1 });
  let n = 0;
  const off = store.subscribe(() => (n += 1));
  store.setState(() => null);
  assert.equal(n, 0);
  store.setState({ a: 2 });
  off();
  store.setState({ a: 3 });
  assert.equal(n, 1);
});

test("changed compares by identity; configPatch keeps other config keys", () => {
  const cfg = { lr: 0.1, seed: 1 };
  assert.equal(changed({ config: cfg }, { config: cfg }, "config"), false);
  const next = configPatch({ config: cfg }, { lr: 0.5 });
  assert.deepEqual(next.config, { lr: 0.5, seed: 1 });
  assert.equal(changed(next, { config: cfg }, "config"), true);
});

test("a setState inside a listener is delivered after the current round, in order", () => {
  const store = createStore({ a: 0, b: 0 });
  const log = [];
  store.subscribe((s, prev) => {
    if (s.a !== prev.a) store.setState({ b: s.a * 10 });
  });
  store.subscribe((s) => log.push([s.a, s.b]));
  store.setState({ a: 1 });
  assert.deepEqual(log, [[1, 0], [1, 10]]);
  assert.deepEqual(store.get(), { a: 1, b: 10 });
});
