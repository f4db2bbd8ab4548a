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
