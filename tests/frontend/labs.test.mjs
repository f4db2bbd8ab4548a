// Pure pieces of the Learn labs: the perceptron readout, playback bounds,
// the decision line clipped to the plot, and the loss-surface bands.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describeStep, describeMultiStep, describeEnd, advance, fmtVec, hFromSlider } from "../../frontend/static/js/labText.js";
import { lineInBox, argmaxClass } from "../../frontend/static/js/render/labPlane.js";
import { band } from "../../frontend/static/js/render/lossSurface.js";
import { plotRange } from "../../frontend/static/js/render/xyPlot.js";

const step = { epoch: 0, index: 3, x: [1.5, -2], label: 1, prediction: 0, error: 1, w_before: [0, 0], b_before: 0, w: [1.5, -2], b: 1, updated: true };

test("describeStep spells the rule with this update's numbers", () => {
  const text = describeStep(step, 1);
  assert.match(text, /epoch 1, sample 3/);
  assert.match(text, /a \u2212 f\(x\) = 1/);
  assert.match(text, /w \(0, 0\) \u2192 \(1\.5, -2\)/);
  assert.match(text, /b 0 \u2192 1/);
  assert.match(describeStep({ ...step, prediction: 1, error: 0, updated: false }, 1), /no change/);
});

test("describeEnd says converged or not", () => {
  assert.match(describeEnd({ converged: true, epochs: 3, errors_per_epoch: [4, 1, 0] }), /^Converged: epoch 3.*4, 1, 0/);
  assert.match(describeEnd({ converged: false, epochs: 60, errors_per_epoch: [9, 12] }), /Not converged after 60 epochs \(last epoch: 12/);
});

test("describeMultiStep names the two rows a mistake changes", () => {
  const multi = {
    epoch: 0, index: 2, x: [1, 2], label: 2, prediction: 0, error: [-1, 0, 1], updated: true,
    w_before: [[0, 0], [0, 0], [0, 0]], b_before: [0, 0, 0], w: [[-1, -2], [0, 0], [1, 2]], b: [-1, 0, 1],
  };
  const text = describeMultiStep(multi, 1);
  assert.match(text, /f\(x\) = argmax = 0/);
  assert.match(text, /w2 \+= 1\u00b7x: \(0, 0\) \u2192 \(1, 2\), b2 0 \u2192 1/);
  assert.match(text, /w0 \u2212= 1\u00b7x: \(0, 0\) \u2192 \(-1, -2\), b0 0 \u2192 -1/);
  assert.doesNotMatch(text, /w1/);
  assert.match(describeMultiStep({ ...multi, prediction: 2, error: [0, 0, 0], updated: false }, 1), /no change/);
});

test("argmaxClass picks the highest score, the lowest class on ties", () => {
  const w = [[1, 0], [0, 1], [-1, 0]];
  assert.equal(argmaxClass(w, [0, 0, 0], 3, 1), 0);
  assert.equal(argmaxClass(w, [0, 0, 0], 1, 3), 1);
  assert.equal(argmaxClass(w, [0, 0, 0], -3, 1), 2);
  assert.equal(argmaxClass([[0, 0], [0, 0]], [0, 0], 5, 5), 0);
});

test("advance clamps the playback position", () => {
  assert.equal(advance(0, 1, 10), 1);
  assert.equal(advance(9, 5, 10), 10);
  assert.equal(advance(2, -5, 10), 0);
});

test("formatting helpers", () => {
  assert.equal(fmtVec([1, 0.5]), "(1, 0.5)");
  assert.equal(hFromSlider("-5"), 1e-5);
});

test("lineInBox clips w.x + b = 0 to the square", () => {
  // x = 2: a vertical line
  assert.deepEqual(lineInBox([1, 0], -2, [-6, 6]).map((p) => p[0]), [2, 2]);
  // y = x through the corners
  const diag = lineInBox([1, -1], 0, [-6, 6]);
  assert.equal(Math.abs(diag[0][0] - diag[1][0]), 12);
  // outside the box, or no line at all
  assert.equal(lineInBox([1, 0], -10, [-6, 6]), null);
  assert.equal(lineInBox([0, 0], 1, [-6, 6]), null);
});

test("band spreads losses over log-spaced levels", () => {
  assert.equal(band(1, 1, 100, 10), 0);
  assert.equal(band(100, 1, 100, 10), 9);
  assert.equal(band(10, 1, 100, 10), 5);
  assert.equal(band(0, 1, 100, 10), 0);
});

test("plotRange pads linear axes and skips non-positive values on log axes", () => {
  assert.deepEqual(plotRange([0, 10], false), [-0.5, 10.5]);
  assert.deepEqual(plotRange([0, 1e-3, 1, null], true), [1e-3 / 1.5, 1.5]);
});

test("the chain caption reads vanishing or exploding off the factors", async () => {
  const { describeChain, FORMULAS } = await import("../../frontend/static/js/labText.js");
  // the case: sigmoid, x = 0.5, w = -4, 30 layers: 2.1e-4, far above (1/4)^30
  const grads = Array.from({ length: 30 }, (_, k) => -(0.75 ** (k + 1)));
  grads[29] = 2.1e-4;
  const text = describeChain({ activation: "sigmoid", depth: 30, bound: 1, factors: [0.42, 0.945, 0.584], pre_activations: [-2, -2, -2], gradients: grads });
  assert.match(text, /0\.42, 0\.945, 0\.584/);
  assert.match(text, /\|w\|\u00b7max\|f\u2032\| = 1\b/);
  assert.match(text, /2\.10e-4/);
  assert.match(text, /shrinks/);
  const grow = describeChain({ activation: "tanh", depth: 3, bound: 5, factors: [5, 5, 5], pre_activations: [0, 0, 0], gradients: [5, 25, 125] });
  assert.match(grow, /grows/);
  const dead = describeChain({ activation: "relu", depth: 3, bound: 1, factors: [0, 0, 0], pre_activations: [0, 0, 0], gradients: [0, 0, 0] });
  assert.match(dead, /z = w\u00b7a = 0, so the ReLU outputs 0/);
  assert.ok(!/negative/.test(dead));
  assert.deepEqual(Object.keys(FORMULAS).sort(), ["leaky_relu", "relu", "sigmoid", "tanh"]);
});

test("the descent readout: full-data losses, equal compute, the stability limit", async () => {
  const { describeDescent } = await import("../../frontend/static/js/labText.js");
  const path = (full, batch) => ({ points: full.map(() => [2, -1]), full_losses: full, losses: batch, diverged: false, final_loss: full[full.length - 1] });
  const r = {
    n_samples: 100, batch_size: 50, lr: 1.2, optimizer: "sgd",
    stability: { lr_limit: 0.986, lambda_max: 2.03 },
    optimum: { loss: 0.15 },
    full_batch: path([9, 4, 2, 1], [9, 4, 2]),
    sgd: path([9, 6, 3, 2, 1.5, 1.2, 1.1], [8, 5, 3, 2, 1.4, 0.35]),
  };
  const text = describeDescent(r);
  assert.match(text, /SGD: loss on all the data 1\.1 .*its last batch of 50 alone: 0\.35/);
  // 6 SGD steps of 50 points = 3 epochs: full batch after 3 steps (1) vs SGD after 6 steps (1.1)
  assert.match(text, /Equal compute, 3 epochs \(300 per-point gradients\): full batch after 3 steps 1, SGD after 6 steps 1\.1/);
  assert.match(text, /\u03b1 = 1\.2 is above 2\/\u03bb/);
});
