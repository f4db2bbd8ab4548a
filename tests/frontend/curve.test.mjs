// Tests for the 1-D fit preset, the fitted-curve path and the ridgeline layout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { applyPreset, presetsFor, defaultPreset } from "../../frontend/static/js/presets.js";
import { curvePath } from "../../frontend/static/js/render/fitCurve.js";
import { pickEvenly, ridgeLayout } from "../../frontend/static/js/render/ridgeline.js";
import { buildSpec } from "../../frontend/static/js/spec.js";

const sin = { name: "sin", kind: "1d", input_shape: [1], num_classes: 0 };
const xor = { name: "xor", kind: "2d", input_shape: [2], num_classes: 2 };
const mnist = { name: "mnist", kind: "image", input_shape: [28, 28, 1], num_classes: 10 };

test("1-D datasets start with a one-hidden-layer fit ending in one linear unit, mse", () => {
  assert.equal(defaultPreset(sin), "fit1d");
  assert.equal(defaultPreset(xor), "mlp");
  assert.equal(defaultPreset(mnist), "lenet");
  const p = applyPreset("fit1d", sin);
  assert.deepEqual(p.layers.map((l) => l.type), ["dense", "tanh", "dense"]);
  assert.equal(p.layers.at(-1).units, 1);
  assert.ok(p.epochs > 1 && p.epochs <= 100);
  assert.equal(buildSpec({ layers: p.layers, init: "" }, sin).loss, "mse");
  assert.ok(presetsFor(sin).some((x) => x.name === "fit1d"));
  assert.ok(!presetsFor(xor).some((x) => x.name === "fit1d"));
});

test("the curve path follows the scales and breaks at missing values", () => {
  const fit = { curve: { x: [0, 1, 2, 3], y: [0, 1, null, 3] } };
  const pieces = curvePath(fit, (x) => x * 10, (y) => 100 - y);
  assert.deepEqual(pieces, [[[0, 100], [10, 99]], [[30, 97]]]);
});

test("the ridgeline picks evenly spaced snapshots, first and last included", () => {
  const list = Array.from({ length: 50 }, (_, i) => i);
  assert.deepEqual(pickEvenly(list, 5), [0, 12, 25, 37, 49]);
  assert.deepEqual(pickEvenly([1, 2], 5), [1, 2]);
  const { gap, ridgeH } = ridgeLayout(9, 200);
  assert.equal(ridgeH + 8 * gap, 200); // the newest baseline sits on the axis
  assert.equal(ridgeLayout(1, 120).ridgeH, 120);
});
