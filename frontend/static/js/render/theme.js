/**
 * Colours and colour maps shared by the canvas renderers (pure).
 * Orange = negative / class 0, blue = positive / class 1, as in TensorFlow Playground.
 */

export const COLORS = {
  text: "#1f2933",
  muted: "#56616d",
  grid: "#e6e9ee",
  axis: "#b8c0cc",
  train: "#0877bd",
  val: "#f59322",
  good: "#2e8b57",
  bad: "#d2372c",
  series: ["#0877bd", "#f59322", "#2e8b57", "#8e44ad", "#d2372c", "#16a2b8", "#7f8c8d", "#c0a000", "#e377c2", "#17becf"],
};

const NEG = [245, 147, 34];
const POS = [8, 119, 189];
const WHITE = [250, 250, 250];

const mix = (a, b, t) => [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t));

/** t in [-1, 1] -> orange .. white .. blue. */
export function diverging(t) {
  const c = Math.max(-1, Math.min(1, t));
  return c < 0 ? mix(WHITE, NEG, -c) : mix(WHITE, POS, c);
}

/** t in [0, 1] -> white .. near-black, for images shown as ink on paper. */
export function ink(t) {
  const v = Math.round(255 * (1 - Math.max(0, Math.min(1, t))));
  return [v, v, Math.min(255, v + 8)];
}

/** t in [0, 1] -> black .. white, for filters and feature maps. */
export function gray(t) {
  const v = Math.round(255 * Math.max(0, Math.min(1, t)));
  return [v, v, v];
}

/** t in [0, 1] -> white .. blue, for confusion matrices and activations. */
export function blues(t) {
  return mix([247, 251, 255], [8, 69, 148], Math.max(0, Math.min(1, t)));
}

/** Categorical colour of class k as [r, g, b]. */
export function classColor(k) {
  const hex = COLORS.series[k % COLORS.series.length];
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

export const rgb = ([r, g, b], a = 1) => (a === 1 ? `rgb(${r},${g},${b})` : `rgba(${r},${g},${b},${a})`);
