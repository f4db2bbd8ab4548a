// Tests for the canvas renderers that can be checked without a browser:
// image grids and decision maps write pixels through a fake 2-D context.
import { test } from "node:test";
import assert from "node:assert/strict";
import { gridSize, drawImageGrid } from "../../frontend/static/js/render/imageGrid.js";
import { drawDecisionGrid } from "../../frontend/static/js/render/decisionMap.js";
import { diverging, ink } from "../../frontend/static/js/render/theme.js";

function fakeCtx() {
  return {
    out: null,
    createImageData(w, h) {
      return { width: w, height: h, data: new Uint8ClampedArray(w * h * 4) };
    },
    putImageData(img) {
      this.out = img;
    },
  };
}
const pixel = (img, x, y) => Array.from(img.data.slice((y * img.width + x) * 4, (y * img.width + x) * 4 + 3));

test("grid size counts tiles, gaps and rows", () => {
  const images = Array.from({ length: 10 }, () => [[0, 1], [1, 0]]);
  assert.deepEqual(gridSize({ images }, { cols: 4, gap: 1 }), { width: 11, height: 8, cols: 4, rows: 3, w: 2, h: 2, gap: 1 });
  assert.equal(gridSize({ images: [] }).width, 1);
});

test("image grid maps values through the colour map, per-image normalised", () => {
  const ctx = fakeCtx();
  drawImageGrid(ctx, { images: [[[0, 2]], [[5, 10]]] }, { cols: 2, gap: 1, colormap: "ink", normalize: "each" });
  const img = ctx.out;
  assert.equal(img.width, 5);
  assert.deepEqual(pixel(img, 0, 0), ink(0)); // min of image 0 -> paper
  assert.deepEqual(pixel(img, 1, 0), ink(1)); // max of image 0 -> ink
  assert.deepEqual(pixel(img, 2, 0), [226, 230, 236]); // the gap
  assert.deepEqual(pixel(img, 4, 0), ink(1));
});

test("diverging weights keep zero white and sign as colour", () => {
  const ctx = fakeCtx();
  drawImageGrid(ctx, { images: [[[-2, 0, 1]]] }, { colormap: "diverging", normalize: "each", gap: 0 });
  assert.deepEqual(pixel(ctx.out, 0, 0), diverging(-1));
  assert.deepEqual(pixel(ctx.out, 1, 0), diverging(0));
  assert.deepEqual(pixel(ctx.out, 2, 0), diverging(0.5));
});

test("decision grid puts row 0 (lowest y) at the bottom, class 1 in blue", () => {
  const ctx = fakeCtx();
  drawDecisionGrid(ctx, { probabilities: [[1, 1], [0, 0]], classes: 2 });
  const bottom = pixel(ctx.out, 0, 1);
  const top = pixel(ctx.out, 0, 0);
  assert.ok(bottom[2] > bottom[0], `bottom row should be blue: ${bottom}`);
  assert.ok(top[0] > top[2], `top row should be orange: ${top}`);
});

test("the p = 0.5 contour of a linear model is its straight line", async () => {
  const { halfContour } = await import("../../frontend/static/js/render/decisionMap.js");
  // p = sigmoid(2x - y + 0.3) on a 21 x 21 grid over [-1, 1]^2
  const n = 21;
  const coord = (i) => -1 + (2 * i) / (n - 1);
  const probabilities = Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => 1 / (1 + Math.exp(-(2 * coord(c) - coord(r) + 0.3)))));
  const segs = halfContour({ probabilities, x_range: [-1, 1], y_range: [-1, 1] });
  assert.ok(segs.length >= 10);
  for (const seg of segs) for (const [x, y] of seg) assert.ok(Math.abs(2 * x - y + 0.3) < 1e-6, `${x}, ${y}`);
});

test("neuron layout: a column per layer, tiles inside the canvas, hit testing", async () => {
  const { neuronLayout, tileAt, lineWeight } = await import("../../frontend/static/js/render/neurons.js");
  const unit = (w) => ({ unit: 0, values: [[0]], dead: false, weights: w, bias: 0 });
  const views = {
    kind: "2d", resolution: 1,
    layers: [{ index: 0, activation: "relu", units: [unit([1, -2]), unit([0.5, 0.5]), unit([0, 1])], shown: 3, total: 3, dead: 0 }],
    readout: { index: 2, weights: [[1, 3], [0, -1], [2, 2]], bias: [0, 0] },
  };
  const L = neuronLayout(views, { width: 300, height: 200 });
  assert.equal(L.columns, 3);
  assert.equal(L.tiles.length, 2 + 3 + 1);
  for (const t of L.tiles) assert.ok(t.x >= 0 && t.x + t.size <= 300 && t.y >= 0 && t.y + t.size <= 200);
  const mid = L.tiles.find((t) => t.layer === 0 && t.unit === 1);
  assert.deepEqual(tileAt(views, { width: 300, height: 200 }, mid.x + 1, mid.y + 1), mid);
  assert.equal(tileAt(views, { width: 300, height: 200 }, 0, 0), null);
  assert.equal(lineWeight(views, 0, 1, 0), -2); // input x2 -> unit 0
  assert.equal(lineWeight(views, 1, 0, 0), 2); // unit 0 -> output: w1 - w0 of the two logits
});
