// Tests for the stored snapshot history in frontend/static/js/history.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { emptyHistory, applyEvent, mergeSnapshots, thinEvenly, histogramsByLayer } from "../../frontend/static/js/history.js";

const snap = (step, norm) => ({
  step,
  layers: [
    { index: 0, type: "dense", grad_norm: norm, dead_fraction: null, weight: { hist: { counts: [step], edges: [0, 1] } } },
    { index: 1, type: "relu", grad_norm: null, dead_fraction: 0.5 },
  ],
});

test("thinEvenly keeps first and last and spans the list", () => {
  const list = Array.from({ length: 100 }, (_, i) => i);
  const out = thinEvenly(list, 30);
  assert.ok(out.length <= 30 && out.length > 15);
  assert.equal(out[0], 0);
  assert.equal(out.at(-1), 99);
  assert.equal(thinEvenly([1, 2], 5).length, 2);
});

test("stored snapshots merge with live ones by step, sorted, live values kept", () => {
  let h = emptyHistory();
  h = applyEvent(h, { type: "snapshot", ...snap(30, 9) });
  h = mergeSnapshots(h, [snap(10, 1), snap(20, 2), snap(30, 3)]);
  assert.deepEqual(h.gradNorms[0], [[10, 1], [20, 2], [30, 9]]);
  assert.deepEqual(h.dead[1].map((p) => p[0]), [10, 20, 30]);
  assert.deepEqual(h.snapshots.map((s) => s.step), [10, 20, 30]);
  assert.equal(histogramsByLayer(h)[0].length, 3);
  assert.equal(h.layerTypes[1], "relu");
  assert.equal(mergeSnapshots(h, []), h);
});

test("a long stored history stays bounded for the histograms", () => {
  const points = Array.from({ length: 500 }, (_, i) => snap(i + 1, 1));
  const h = mergeSnapshots(emptyHistory(), points);
  assert.equal(h.gradNorms[0].length, 500);
  assert.ok(h.snapshots.length <= 40);
  assert.deepEqual([h.snapshots[0].step, h.snapshots.at(-1).step], [1, 500]);
});
