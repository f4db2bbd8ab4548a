/**
 * The perceptron lab's plane: the points (orange 0, blue 1), the half-plane the
 * perceptron calls 1 shaded, its line w.x + b = 0, and the sample being judged
 * ringed (red when it is misclassified and triggers an update).
 * With more than two classes (w: one row per class, b: one per class) each
 * region is shaded in the colour of the class argmax_k w_k.x + b_k picks, and
 * the points take their class colours.
 * drawPlane(ctx, {points, labels, w, b, classes, current, wrong}, {width, height, range})
 * lineInBox(w, b, range) -> [[x0, y0], [x1, y1]] | null  (pure)
 * argmaxClass(w, b, px, py) -> the class with the highest score, lowest on ties (pure)
 */

import { linearScale } from "../scale.js";
import { diverging, classColor, rgb, COLORS } from "./theme.js";

const CELL = 8; // px of the coarse grid the regions are shaded on

/** argmax_k of w[k].(px, py) + b[k]; ties go to the lowest k, as np.argmax. */
export function argmaxClass(w, b, px, py) {
  let best = 0;
  let top = -Infinity;
  w.forEach(([w0, w1], k) => {
    const s = w0 * px + w1 * py + b[k];
    if (s > top) {
      top = s;
      best = k;
    }
  });
  return best;
}

/** Light tint of a class colour, for its region. */
const tint = (k) => classColor(k).map((c) => Math.round(250 + (c - 250) * 0.3));

function shadeRegions(ctx, data, x, y, width, height) {
  for (let px = 0; px < width; px += CELL) {
    for (let py = 0; py < height; py += CELL) {
      ctx.fillStyle = rgb(tint(argmaxClass(data.w, data.b, x.invert(px + CELL / 2), y.invert(py + CELL / 2))));
      ctx.fillRect(px, py, CELL, CELL);
    }
  }
}

/** Where w0 x + w1 y + b = 0 crosses the square [range]^2; null if it misses it. */
export function lineInBox(w, b, [lo, hi]) {
  const [w0, w1] = w;
  const hits = [];
  const push = (px, py) => {
    if (px >= lo - 1e-9 && px <= hi + 1e-9 && py >= lo - 1e-9 && py <= hi + 1e-9) hits.push([px, py]);
  };
  if (w1 !== 0) {
    for (const px of [lo, hi]) push(px, -(w0 * px + b) / w1);
  }
  if (w0 !== 0) {
    for (const py of [lo, hi]) push(-(w1 * py + b) / w0, py);
  }
  if (hits.length < 2) return null;
  // the two hits farthest apart (corners can be hit twice)
  let best = null;
  let far = -1;
  for (let i = 0; i < hits.length; i += 1) {
    for (let j = i + 1; j < hits.length; j += 1) {
      const d = (hits[i][0] - hits[j][0]) ** 2 + (hits[i][1] - hits[j][1]) ** 2;
      if (d > far) {
        far = d;
        best = [hits[i], hits[j]];
      }
    }
  }
  return far > 0 ? best : null;
}

export function drawPlane(ctx, data, options) {
  const { width, height, range } = options;
  ctx.clearRect(0, 0, width, height);
  const x = linearScale(range, [0, width]);
  const y = linearScale(range, [height, 0]);
  const { w, b } = data;
  const multi = data.classes > 2;

  // shade the side the perceptron calls 1 (or each argmax region), a coarse grid is enough
  if (multi) {
    shadeRegions(ctx, data, x, y, width, height);
  } else if (w && (w[0] !== 0 || w[1] !== 0 || b !== 0)) {
    for (let px = 0; px < width; px += CELL) {
      for (let py = 0; py < height; py += CELL) {
        const one = w[0] * x.invert(px + CELL / 2) + w[1] * y.invert(py + CELL / 2) + b > 0;
        ctx.fillStyle = rgb(diverging(one ? 0.25 : -0.25));
        ctx.fillRect(px, py, CELL, CELL);
      }
    }
  } else {
    ctx.fillStyle = rgb(diverging(-0.25));
    ctx.fillRect(0, 0, width, height);
  }
  const seg = w && !multi ? lineInBox(w, b, range) : null;
  if (seg) {
    ctx.strokeStyle = COLORS.text;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x(seg[0][0]), y(seg[0][1]));
    ctx.lineTo(x(seg[1][0]), y(seg[1][1]));
    ctx.stroke();
  }
  data.points.forEach(([px, py], i) => {
    ctx.beginPath();
    ctx.arc(x(px), y(py), 4, 0, 2 * Math.PI);
    ctx.fillStyle = rgb(multi ? classColor(data.labels[i]) : diverging(data.labels[i] ? 1 : -1));
    ctx.fill();
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 1;
    ctx.stroke();
  });
  if (data.current !== null && data.current !== undefined) {
    const [px, py] = data.points[data.current];
    ctx.beginPath();
    ctx.arc(x(px), y(py), 9, 0, 2 * Math.PI);
    ctx.strokeStyle = data.wrong ? COLORS.bad : COLORS.good;
    ctx.lineWidth = 2.5;
    ctx.stroke();
  }
  ctx.strokeStyle = COLORS.axis;
  ctx.lineWidth = 1;
  ctx.strokeRect(0.5, 0.5, width - 1, height - 1);
}
