// Tests for frontend/static/js/scale.js: chart axes and downsampling.
import { test } from "node:test";
import assert from "node:assert/strict";
import { extent, linearScale, logScale, niceTicks, logTicks, downsample, smooth } from "../../frontend/static/js/scale.js";

test("extent skips non-finite values and widens a flat series", () => {
  assert.deepEqual(extent([3, NaN, 1, Infinity, 2]), [1, 3]);
  assert.deepEqual(extent([2, 2]), [1.8, 2.2]);
  assert.equal(extent([NaN]), null);
});

test("linear and log scales map and invert", () => {
  const s = linearScale([0, 10], [100, 0]);
  assert.equal(s(5), 50);
  assert.equal(s.invert(25), 7.5);
  const l = logScale([1e-4, 1], [0, 4]);
  assert.ok(Math.abs(l(1e-2) - 2) < 1e-12);
  assert.ok(Math.abs(l.invert(3) - 0.1) < 1e-12);
});

test("nice ticks fall on 1-2-5 steps inside the range", () => {
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0.13, 2.31, 4), [1, 2]);
  assert.deepEqual(niceTicks(0.13, 2.31, 8), [0.5, 1, 1.5, 2]);
  assert.deepEqual(logTicks(0.003, 0.2), [0.001, 0.01, 0.1, 1]);
});

test("downsample keeps the last point and bounds the count", () => {
  const pts = Array.from({ length: 1001 }, (_, i) => [i, i]);
  const out = downsample(pts, 100);
  assert.ok(out.length <= 102);
  assert.deepEqual(out[out.length - 1], [1000, 1000]);
  assert.equal(downsample(pts.slice(0, 5), 100).length, 5);
});

test("smoothing is an exponential moving average", () => {
  assert.deepEqual(smooth([[0, 1], [1, 3]], 0.5), [[0, 1], [1, 2]]);
});
