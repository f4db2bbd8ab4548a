/**
 * Words and numbers for the Learn labs' readouts (pure, tested): the
 * perceptron rule with the current update's numbers, vectors, playback.
 */

import { fmtNum } from "./format.js";

export const fmtVec = (v, digits = 3) => `(${v.map((x) => fmtNum(x, digits)).join(", ")})`;

/** "w += lr (a - f(x)) x" with this step's numbers filled in. */
export function describeStep(step, lr) {
  const head = `epoch ${step.epoch + 1}, sample ${step.index}: x = ${fmtVec(step.x)}, a = ${step.label}, f(x) = ${step.prediction}`;
  if (!step.updated) return `${head}. Right, so a \u2212 f(x) = 0: no change.`;
  const e = step.error;
  return `${head}. Wrong: a \u2212 f(x) = ${e}, so w += ${fmtNum(lr)}\u00b7(${e})\u00b7x: `
    + `w ${fmtVec(step.w_before)} \u2192 ${fmtVec(step.w)}, b ${fmtNum(step.b_before)} \u2192 ${fmtNum(step.b)}.`;
}

/** Multi-class: f(x) = argmax of the class scores; a mistake moves two rows of W. */
export function describeMultiStep(step, lr) {
  const scores = step.w_before.map(([w0, w1], k) => w0 * step.x[0] + w1 * step.x[1] + step.b_before[k]);
  const head = `epoch ${step.epoch + 1}, sample ${step.index}: x = ${fmtVec(step.x)}, a = ${step.label}, `
    + `scores w\u2096\u00b7x + b\u2096 = ${fmtVec(scores)}, f(x) = argmax = ${step.prediction}`;
  if (!step.updated) return `${head}. Right, so onehot(a) \u2212 onehot(f(x)) = 0: no change.`;
  const row = (k, sign) => `w${k} ${sign}= ${fmtNum(lr)}\u00b7x: ${fmtVec(step.w_before[k])} \u2192 ${fmtVec(step.w[k])}, `
    + `b${k} ${fmtNum(step.b_before[k])} \u2192 ${fmtNum(step.b[k])}`;
  return `${head}. Wrong: the true row gains x, the predicted row loses it. `
    + `${row(step.label, "+")}; ${row(step.prediction, "\u2212")}.`;
}

/** The summary line once the replay reaches the end. */
export function describeEnd(result) {
  const errs = result.errors_per_epoch;
  if (result.converged) {
    return `Converged: epoch ${result.epochs} changed nothing (mistakes per epoch: ${errs.join(", ")}).`;
  }
  return `Not converged after ${result.epochs} epochs (last epoch: ${errs[errs.length - 1]} mistakes). ${result.classes > 2 ? "No argmax of linear scores separates these classes." : "No straight line separates these points."}`;
}

/** Next playback position: steps forward by `n`, clamped to [0, total]. */
export function advance(position, n, total) {
  return Math.max(0, Math.min(total, position + n));
}

/** The slider value of h is its base-10 exponent. */
export const hFromSlider = (v) => Number((10 ** Number(v)).toPrecision(6)); // 10 ** -5 is 9.999e-6 in floats

/** Each activation the engine has, its formula and its derivative's (the engine's
 *  choice at 0 included). The engine has no ELU, softplus or GELU. */
export const FORMULAS = {
  sigmoid: { f: "\u03c3(x) = 1 / (1 + e\u207b\u02e3)", df: "\u03c3\u2032(x) = \u03c3(x)(1 \u2212 \u03c3(x)), at most 1/4 (at x = 0)" },
  tanh: { f: "tanh(x) = (e\u02e3 \u2212 e\u207b\u02e3) / (e\u02e3 + e\u207b\u02e3)", df: "tanh\u2032(x) = 1 \u2212 tanh\u00b2(x), at most 1 (at x = 0)" },
  relu: { f: "ReLU(x) = x if x > 0, else 0", df: "ReLU\u2032(x) = 1 if x > 0, else 0 (the engine takes 0 at x = 0)" },
  leaky_relu: { f: "leaky(x) = x if x > 0, else \u03b1x", df: "leaky\u2032(x) = 1 if x > 0, else \u03b1" },
};

const list = (xs, n = 8) => xs.slice(0, n).map((v) => fmtNum(v, 3)).join(", ") + (xs.length > n ? ", \u2026" : "");

/**
 * The gradient through the chain in words, from the numbers only: the
 * per-layer factors |w f'(z_k)|, their bound |w| max|f'|, and whether the
 * product shrank (vanishing) or grew (exploding) on average per layer.
 */
export function describeChain(r) {
  const factors = r.factors.map(Math.abs);
  const zero = factors.findIndex((f) => f === 0);
  if (zero >= 0) {
    const z = r.pre_activations[zero];
    return `Layer ${zero + 1}: z = w\u00b7a = ${fmtNum(z)}${z < 0 ? " < 0" : ""}, so ${r.activation === "relu" ? "the ReLU" : "f"} outputs 0 and its slope there is 0: `
      + `the gradient reaching x is exactly 0 from layer ${zero + 1} on, for this input. Per-layer factors |w\u00b7f\u2032(z\u2096)|: ${list(factors)}.`;
  }
  const last = Math.abs(r.gradients[r.gradients.length - 1]);
  const mean = last ** (1 / r.depth); // geometric mean factor per layer
  const trend = mean < 1
    ? `on average \u00d7${fmtNum(mean, 3)} per layer: it shrinks${last < 1e-3 ? ", vanishing: the first layer barely learns" : ""}`
    : mean > 1 ? `on average \u00d7${fmtNum(mean, 3)} per layer: it grows${last > 1e3 ? ", exploding" : ""}` : "unchanged";
  return `Per-layer factors |w\u00b7f\u2032(z\u2096)|: ${list(factors)} (none can exceed |w|\u00b7max|f\u2032| = ${fmtNum(r.bound)}). `
    + `Their product, the gradient reaching x after ${r.depth} layers: ${fmtNum(r.gradients[r.gradients.length - 1])}, ${trend}.`;
}

/**
 * The descent lab's readout: each path's loss on all the data (SGD's last
 * batch loss beside it), the two compared at equal compute (the same number of
 * epochs, i.e. of per-sample gradients), and the learning rate against the
 * stability limit 2 / lambda_max of plain gradient descent.
 */
export function describeDescent(r) {
  const n = r.n_samples;
  const end = (p) => p.points[p.points.length - 1];
  const say = (name, p) => (p.diverged
    ? `${name}: diverged after ${p.losses.length} steps (the steps overshoot and grow).`
    : `${name}: loss on all the data ${fmtNum(p.final_loss, 3)} at w = ${fmtNum(end(p)[0])}, b = ${fmtNum(end(p)[1])}.`);
  const parts = [say("Full batch", r.full_batch), say("SGD", r.sgd)];
  // The batch loss SGD steps on is a noisy estimate of the full loss: both are shown.
  if (!r.sgd.diverged && r.sgd.losses.length) parts[1] = parts[1].replace(/\.$/, `; its last batch of ${r.batch_size} alone: ${fmtNum(r.sgd.losses[r.sgd.losses.length - 1], 3)}.`);
  // Equal compute: SGD's steps read steps*B points; full batch reads n per step.
  const sgdSteps = r.sgd.full_losses.length - 1;
  const epochs = Math.min((sgdSteps * r.batch_size) / n, r.full_batch.full_losses.length - 1);
  const gdSteps = Math.floor(epochs);
  const sgdAt = Math.floor((gdSteps * n) / r.batch_size);
  if (gdSteps >= 1 && !r.full_batch.diverged && !r.sgd.diverged && r.batch_size < n) {
    parts.push(`Equal compute, ${gdSteps} epoch${gdSteps === 1 ? "" : "s"} (${gdSteps * n} per-point gradients): full batch after ${gdSteps} step${gdSteps === 1 ? "" : "s"} ${fmtNum(r.full_batch.full_losses[gdSteps], 3)}, SGD after ${sgdAt} steps ${fmtNum(r.sgd.full_losses[sgdAt], 3)}.`);
  }
  const limit = r.stability.lr_limit;
  parts.push(`\u03b1 = ${fmtNum(r.lr)} is ${r.lr < limit ? "below" : "above"} 2/\u03bb\u2098\u2090\u2093 = ${fmtNum(limit)} (\u03bb\u2098\u2090\u2093 = ${fmtNum(r.stability.lambda_max)}), the limit of plain gradient descent${r.optimizer && r.optimizer !== "sgd" ? "; momentum and Adam have limits of their own" : ""}.`);
  parts.push(`Least squares (\u00d7): loss ${fmtNum(r.optimum.loss, 3)}.`);
  return parts.join(" ");
}
