/**
 * Shapes and broadcasting, pure: a batched dense layer Y = W X + b in the
 * notes' notation, W (k x n) times a batch X (n x B), b (k x 1) broadcast over
 * the batch; NumPy's broadcasting rule on two shapes; the notes' example of
 * adding a vector to each row of a matrix. No server: these are shape rules
 * and a handful of additions.
 */

const times = "\u00d7";
export const fmtShape = (s) => s.join(` ${times} `);

/**
 * NumPy's rule: align shapes at the right; each pair of sizes must be equal
 * or one of them 1. Returns {shape} or {error, axis} (axis counted from the right, 1 = last).
 */
export function broadcastShape(a, b) {
  const n = Math.max(a.length, b.length);
  const out = [];
  for (let k = 1; k <= n; k++) {
    const x = a[a.length - k] ?? 1;
    const y = b[b.length - k] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return { error: true, axis: k, sizes: [x, y] };
    out.unshift(Math.max(x, y));
  }
  return { shape: out };
}

/**
 * The arrays of Y = W X + b. n, k, B: the layer; nX: the rows the batch
 * actually has (n when it fits); kb: the length of b (k when it fits).
 */
export function denseLayer({ n, k, B, nX = n, kb = k }) {
  const W = [k, n];
  const X = [nX, B];
  const b = [kb, 1];
  const out = { W, X, b, WX: null, Y: null, multiplyAdds: null, biasAdds: null, problem: null };
  if (nX !== n) {
    out.problem = `W is ${fmtShape(W)} and X is ${fmtShape(X)}: a matrix product (k ${times} n)(n ${times} B) needs `
      + `as many columns in W as rows in X (each output adds up n products). Here ${n} \u2260 ${nX}, so W X is not defined: `
      + `give every sample ${n} features, or W ${n === 1 ? "one column" : `${nX} columns`}.`;
    return out;
  }
  out.WX = [k, B];
  out.multiplyAdds = k * n * B;
  const bc = broadcastShape(out.WX, b);
  if (bc.error) {
    out.problem = `W X is ${fmtShape(out.WX)} but b is ${fmtShape(b)}: broadcasting lines shapes up from the right; `
      + `the columns (${B} and 1) fit because 1 is repeated, the rows (${k} and ${kb}) differ and neither is 1, `
      + `so b cannot be added. b needs one number per output unit: ${k}.`;
    return out;
  }
  out.Y = bc.shape;
  out.biasAdds = bc.shape[0] * bc.shape[1];
  return out;
}

/** The notes' example: x (4 x 3) + v (3,): v is added to each row. */
export const NOTES_X = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]];
export const NOTES_V = [1, 0, 2];

export function addToRows(x, v) {
  const bc = broadcastShape([x.length, x[0].length], [v.length]);
  if (bc.error) return { error: `x is ${x.length} ${times} ${x[0].length} and v has ${v.length}: the last sizes ${x[0].length} and ${v.length} differ, so v cannot be added to each row` };
  return { y: x.map((row) => row.map((val, j) => val + v[j])), shape: bc.shape };
}

/** One sentence on cost: the multiply-adds of W X and the additions of b. */
export function costSentence(layer) {
  if (!layer.Y) return "";
  const [k, n] = layer.W;
  const B = layer.X[1];
  return `W X: ${k}\u00b7${n}\u00b7${B} = ${layer.multiplyAdds} multiply-adds (each of the ${k * B} outputs adds ${n} products); `
    + `+ b: ${layer.biasAdds} additions. The same ${k * n} weights serve all ${B} samples of the batch: one matrix product instead of ${B} matrix-vector products.`;
}
