// Tests for frontend/static/js/history.js: folding websocket events into series.
import { test } from "node:test";
import assert from "node:assert/strict";
import { emptyHistory, applyEvent, applyMetrics, curveSeries, histogramsByLayer } from "../../frontend/static/js/history.js";

test("steps append, replays are ignored, lr changes are recorded once", () => {
  let h = emptyHistory();
  h = applyEvent(h, { type: "step", step: 1, loss: 2.3, accuracy: 0.1, lr: 0.01 });
  h = applyEvent(h, { type: "step", step: 2, loss: 2.0, accuracy: 0.2, lr: 0.01 });
  const same = applyEvent(h, { type: "step", step: 2, loss: 9, accuracy: 0, lr: 0.01 });
  assert.equal(same, h);
  h = applyEvent(h, { type: "step", step: 3, loss: 1.5, accuracy: 0.4, lr: 0.1 });
  assert.deepEqual(h.lr, [[1, 0.01], [3, 0.1]]);
  assert.deepEqual(curveSeries(h, "loss").train, [[1, 2.3], [2, 2.0], [3, 1.5]]);
  assert.equal(applyEvent(h, { type: "pong" }), h);
});

test("epochs replace by number and give validation points", () => {
  let h = applyMetrics(emptyHistory(), "epoch", [{ epoch: 1, step: 100, train: { loss: 1, accuracy: 0.5 }, val: { loss: 1.2, accuracy: 0.4 } }]);
  h = applyEvent(h, { type: "epoch", epoch: 1, step: 100, train: { loss: 1, accuracy: 0.5 }, val: { loss: 1.1, accuracy: 0.45 } });
  assert.deepEqual(curveSeries(h, "accuracy").val, [[100, 0.45]]);
});

test("snapshots give gradient norms, dead fractions and histograms per layer", () => {
  let h = emptyHistory();
  for (let s = 1; s <= 50; s += 1) {
    h = applyEvent(h, { type: "snapshot", step: s, layers: [
      { index: 0, type: "dense", grad_norm: 1 / s, dead_fraction: null, weight: { hist: { counts: [1, 2], edges: [0, 1, 2] } } },
      { index: 1, type: "relu", grad_norm: null, dead_fraction: 0.25 },
    ] });
  }
  assert.equal(h.gradNorms[0].length, 50);
  assert.equal(h.gradNorms[1], undefined);
  assert.deepEqual(h.dead[1][0], [1, 0.25]);
  // bounded, and still spanning the whole run (thinned evenly, not cut)
  assert.ok(h.snapshots.length <= 40 && h.snapshots.length >= 20);
  assert.deepEqual([h.snapshots[0].step, h.snapshots.at(-1).step], [1, 50]);
  assert.equal(histogramsByLayer(h)[0].length, h.snapshots.length);
  assert.equal(h.layerTypes[1], "relu");
});

test("steps skipped by the stream are merged in from /metrics, sorted, once", async () => {
  const { mergeSteps, hasGap } = await import("../../frontend/static/js/history.js");
  let h = emptyHistory();
  h = applyEvent(h, { type: "step", step: 1, loss: 2, accuracy: 0.1 });
  h = applyEvent(h, { type: "step", step: 100, loss: 1, accuracy: 0.5 });
  assert.equal(hasGap(h, 20), true);
  h = mergeSteps(h, [{ step: 1, loss: 9, accuracy: 0 }, { step: 50, loss: 1.5, accuracy: 0.3 }, { step: 75, loss: 1.2, accuracy: 0.4 }, { step: 25, loss: 1.8, accuracy: 0.2 }]);
  assert.deepEqual(h.steps.map((r) => r[0]), [1, 25, 50, 75, 100]);
  assert.equal(h.steps[0][1], 2); // the streamed value stays
  assert.equal(hasGap(h, 20), true);
  assert.equal(hasGap(h, 25), false);
  assert.equal(h.lastStep, 100);
});

test("aggregated step events plot their means", () => {
  const h = applyEvent(emptyHistory(), { type: "step", step: 20, loss: 0.9, loss_mean: 1.1, accuracy: 1, accuracy_mean: 0.7, steps: 20 });
  assert.deepEqual(h.steps, [[20, 1.1, 0.7]]);
});

test("lr change points survive skipped step events and pauses are marked once", async () => {
  const { emptyHistory, applyEvent, mergeSteps, lrChanges, markPause } = await import("../../frontend/static/js/history.js");
  let h = emptyHistory();
  h = applyEvent(h, { type: "step", step: 10, loss: 1, lr: 0.1 });
  h = applyEvent(h, { type: "step", step: 200, loss: 0.5, lr: 0.01 }); // steps 11..199 never arrived
  assert.deepEqual(lrChanges(h), [[200, 0.01]]);
  h = mergeSteps(h, [{ step: 50, loss: 0.9, lr: 0.1 }, { step: 51, loss: 0.9, lr: 0.01 }, { step: 120, loss: 0.7, lr: 0.01 }]);
  assert.deepEqual(lrChanges(h), [[51, 0.01]]);
  assert.deepEqual(lrChanges(h, "cosine"), []);
  h = markPause(markPause(h));
  assert.deepEqual(h.pauses, [200]);
});
