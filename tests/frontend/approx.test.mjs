import { test } from "node:test";
import assert from "node:assert/strict";
import { contributions } from "../../frontend/static/js/approx.js";

test("each unit's w2 h(x) and their sum plus b2 make the output", () => {
  const x = [-1, 0, 1];
  const views = {
    kind: "1d", x,
    layers: [{ shown: 2, total: 2, units: [{ unit: 0, values: [0.1, 0.5, 0.9] }, { unit: 1, values: [-0.5, 0, 0.5] }] }],
    readout: { weights: [[2], [-1]], bias: [0.25] },
  };
  const c = contributions(views);
  assert.deepEqual(c.parts[0].values, [0.2, 1, 1.8]);
  assert.deepEqual(c.parts[1].values, [0.5, -0, -0.5]);
  assert.deepEqual(c.sum.map((v) => Number(v.toFixed(6))), [0.95, 1.25, 1.55]);
  assert.match(contributions({ ...views, layers: [views.layers[0], views.layers[0]] }).reason, /one hidden layer/);
  assert.match(contributions({ ...views, kind: "2d" }).reason, /one input/);
});
