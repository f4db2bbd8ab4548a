// Tests for the training length a dataset starts with (presets.js trainingFor /
// setupFor) and for the line chart's y-label margin on huge losses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { trainingFor, setupFor, applyPreset } from "../../frontend/static/js/presets.js";
import { drawLineChart } from "../../frontend/static/js/render/lineChart.js";

const circle = { name: "circle", kind: "2d", input_shape: [2], num_classes: 2, train_size: 500 };
const big = { name: "upload:x", kind: "2d", input_shape: [2], num_classes: 2, train_size: 100000 };
const sin = { name: "sin", kind: "1d", input_shape: [1], num_classes: 0, train_size: 500 };
const mnist = { name: "mnist", kind: "image", input_shape: [28, 28, 1], num_classes: 10, train_size: 60000 };

test("a 500-point 2-D set trains for thousands of steps, MNIST for one epoch", () => {
  const small = trainingFor(circle);
  const steps = Math.ceil(circle.train_size / small.batch_size) * small.epochs;
  assert.ok(steps >= 2000 && steps <= 5000, `${steps} steps`);
  assert.deepEqual(trainingFor(mnist), { batch_size: 64, epochs: 1, steps: 0 });
  assert.deepEqual(trainingFor(undefined), { batch_size: 64, epochs: 1, steps: 0 });
  // a large upload is not trained for 100 epochs
  assert.equal(trainingFor(big).epochs, 1);
});

test("a dataset's setup is its default preset with its training length", () => {
  const c = setupFor(circle);
  assert.equal(c.layers.at(-1).units, 2);
  assert.equal(c.epochs, trainingFor(circle).epochs);
  assert.equal(c.lr, 0.01); // the small-data MLP takes larger steps
  assert.equal(applyPreset("mlp", mnist).lr, 0.001);
  const s = setupFor(sin);
  assert.deepEqual(s.layers.map((l) => l.type), ["dense", "tanh", "dense"]);
  assert.equal(setupFor(mnist).layers[0].type, "conv2d");
});

function recordingCtx() {
  const texts = [];
  const noop = () => {};
  return {
    texts,
    font: "",
    clearRect: noop, beginPath: noop, moveTo: noop, lineTo: noop, stroke: noop, fill: noop, arc: noop,
    rect: noop, clip: noop, save: noop, restore: noop, setLineDash: noop, fillRect: noop,
    // about 6 px per character, like 11 px system-ui
    measureText: (t) => ({ width: 6 * String(t).length }),
    fillText(t, x) {
      texts.push({ t: String(t), x, left: this.textAlign === "right" ? x - 6 * String(t).length : x });
    },
  };
}

test("huge y tick labels widen the margin instead of running off the left edge", () => {
  const ctx = recordingCtx();
  const points = [[1, 0], [2, 5e32], [3, 1.6e33]];
  drawLineChart(ctx, { series: [{ label: "train", color: "#000", points }] }, { width: 300, height: 200, yMin: 0 });
  const labels = ctx.texts.filter((t) => /e\+3/.test(t.t) && !t.t.startsWith("train"));
  assert.ok(labels.length >= 2, JSON.stringify(ctx.texts));
  for (const l of labels) assert.ok(l.left >= 0, `${l.t} starts at ${l.left}`);
});
