/**
 * The convolution explainer's pure parts: kernel presets, the window of one
 * output cell with its products and sum in the notes' notation, the pooling
 * window, and painting on the input grid. The output values themselves come
 * from the server's engine conv2d; these products are what a student would
 * multiply by hand, and the page shows both.
 *
 * Grids are nested arrays [row][col][channel]; kernels [m][n][channel][filter];
 * (x, y) = (row, column) of the output, counted from 0.
 */

const num = (v) => (v === null ? "\u2212\u221e" : String(Number(v.toPrecision(4))));
const paren = (v) => (v < 0 ? `(${num(v)})` : num(v));

export const PRESETS = {
  identity: "identity",
  blur: "box blur",
  gaussian: "Gaussian blur",
  sharpen: "sharpen",
  vertical: "vertical edges",
  horizontal: "horizontal edges",
  outline: "outline (Laplacian)",
};

function binomial(f) {
  let row = [1];
  for (let i = 1; i < f; i++) row = [...row, 0].map((v, k) => v + (k ? row[k - 1] : 0));
  return row;
}

/** An f x f kernel (plain [m][n] numbers) for a preset name. */
export function presetKernel(name, f) {
  const c = (f - 1) / 2;
  const grid = (fn) => Array.from({ length: f }, (_, m) => Array.from({ length: f }, (_, n) => fn(m, n)));
  const round = (v) => Math.round(v * 1000) / 1000;
  switch (name) {
    case "identity": return grid((m, n) => (m === Math.floor(c) && n === Math.floor(c) ? 1 : 0));
    case "blur": return grid(() => round(1 / (f * f)));
    case "gaussian": {
      const b = binomial(f);
      const total = b.reduce((s, v) => s + v, 0) ** 2;
      return grid((m, n) => round((b[m] * b[n]) / total));
    }
    case "sharpen": return grid((m, n) => {
      const centre = m === Math.floor(c) && n === Math.floor(c);
      const cross = Math.abs(m - Math.floor(c)) + Math.abs(n - Math.floor(c)) === 1;
      return centre ? 5 : cross ? -1 : 0;
    });
    case "vertical": return grid((m, n) => Math.sign(c - n));
    case "horizontal": return grid((m, n) => Math.sign(c - m));
    case "outline": return grid((m, n) => (m === Math.floor(c) && n === Math.floor(c) ? f * f - 1 : -1));
    default: throw new Error(`unknown preset ${name}`);
  }
}

/** (x, y) of the i-th output cell in row-major order, and back. */
export const cellAt = (i, ow) => [Math.floor(i / ow), i % ow];
export const cellIndex = (x, y, ow) => x * ow + y;

/**
 * The products of output cell (x, y) of filter q: one per (m, n, channel),
 * with the padded-input position (s·x + m, s·y + n). Returns the products,
 * the per-channel sums and the total before the bias.
 */
export function windowProducts(padded, kernel, stride, x, y, q = 0) {
  const f = kernel.length;
  const channels = padded[0][0].length;
  const products = [];
  const perChannel = new Array(channels).fill(0);
  for (let c = 0; c < channels; c++) {
    for (let m = 0; m < f; m++) {
      for (let n = 0; n < f; n++) {
        const i = stride * x + m;
        const j = stride * y + n;
        const input = padded[i][j][c];
        const k = kernel[m][n][c][q];
        products.push({ m, n, c, i, j, input, k, product: input * k });
        perChannel[c] += input * k;
      }
    }
  }
  return { products, perChannel, sum: perChannel.reduce((s, v) => s + v, 0) };
}

/** The notes' formula for this cell, then its numbers: V(x, y) = Σm Σn I(sx+m, sy+n) K(m, n) + b = ... */
export function sumText({ products, perChannel, sum }, bias, x, y, stride, channels) {
  const s = stride === 1 ? "" : `${stride}\u00b7`;
  const sumC = channels > 1 ? "\u03a3c " : "";
  const iArgs = `${s}${x}+m, ${s}${y}+n${channels > 1 ? ", c" : ""}`;
  const kArgs = channels > 1 ? "m, n, c" : "m, n";
  const head = `V(${x}, ${y}) = ${sumC}\u03a3m \u03a3n I(${iArgs}) K(${kArgs}) + b`;
  const lines = [head];
  for (let c = 0; c < channels; c++) {
    const terms = products.filter((p) => p.c === c).map((p) => `${paren(p.input)}\u00b7${paren(p.k)}`).join(" + ");
    lines.push(`${channels > 1 ? `channel ${c}: ` : ""}${terms} = ${num(perChannel[c])}`);
  }
  const total = channels > 1 ? `${perChannel.map(num).join(" + ")} = ${num(sum)}; ` : "";
  lines.push(`${total}sum ${num(sum)} + b ${paren(bias)} = ${num(sum + bias)}`);
  return lines;
}

/** The pooling window of output cell (x, y) in channel c: values (null for -inf padding) and the result. */
export function poolWindow(padded, window, stride, x, y, c, mode) {
  const cells = [];
  for (let m = 0; m < window; m++) {
    for (let n = 0; n < window; n++) {
      const i = stride * x + m;
      const j = stride * y + n;
      cells.push({ i, j, value: padded[i][j][c] });
    }
  }
  const real = cells.filter((p) => p.value !== null);
  const values = real.map((p) => p.value);
  const result = mode === "max" ? Math.max(...values) : values.reduce((s, v) => s + v, 0) / values.length;
  const text = mode === "max"
    ? `max(${cells.map((p) => num(p.value)).join(", ")}) = ${num(result)}`
    : `(${values.map((v, i) => (i ? paren(v) : num(v))).join(" + ")}) / ${values.length} = ${num(result)}`;
  return { cells, result, text };
}

/** Is padded-input cell (i, j) a padding zero? pad = [top, bottom, left, right]. */
export function isPadding(i, j, h, w, pad) {
  return i < pad[0] || i >= pad[0] + h || j < pad[2] || j >= pad[2] + w;
}

/** A copy of grid [row][col] (one channel) with a soft round brush at (r, c). */
export function paint(grid, r, c, radius = 1.2, value = 1) {
  const out = grid.map((row) => row.slice());
  for (let i = 0; i < out.length; i++) {
    for (let j = 0; j < out[0].length; j++) {
      const d = Math.hypot(i - r, j - c);
      if (d <= radius) {
        const ink = value * Math.min(1, 1.5 - d / radius / 1.5);
        out[i][j] = value > 0 ? Math.max(out[i][j], Math.round(ink * 100) / 100) : 0;
      }
    }
  }
  return out;
}

/** A small starting grid: a 7x7 "L" stroke, values 0 and 1. */
export function starterGrid(h = 7, w = 7) {
  return Array.from({ length: h }, (_, i) => Array.from({ length: w }, (_, j) => (
    (j === 2 && i >= 1 && i <= h - 2) || (i === h - 2 && j >= 2 && j <= w - 2) ? 1 : 0)));
}
