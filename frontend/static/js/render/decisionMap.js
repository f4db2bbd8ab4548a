/**
 * The decision boundary of a 2-D classifier, as in TensorFlow Playground.
 *
 * drawDecisionGrid(ctx, grid, options): at data resolution (canvas is
 *   resolution x resolution, scaled by CSS). Row 0 of `probabilities` is the
 *   lowest y, so it is drawn at the bottom.
 * drawPoints(ctx, grid, {width, height, showTest}): train points filled,
 *   test points hollow, on an overlay canvas of display size.
 */

import { linearScale } from "../scale.js";
import { diverging, classColor, rgb, COLORS } from "./theme.js";

export function drawDecisionGrid(ctx, grid) {
  const rows = grid.probabilities.length;
  const cols = grid.probabilities[0].length;
  const img = ctx.createImageData(cols, rows);
  const multi = grid.classes > 2 && grid.labels;
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      const p = grid.probabilities[r][c];
      let color;
      if (multi) {
        // confidence fades the class colour towards white
        const base = classColor(grid.labels[r][c]);
        const t = Math.max(0, (p - 1 / grid.classes) / (1 - 1 / grid.classes));
        color = base.map((v) => Math.round(250 + (v - 250) * t * 0.75));
      } else {
        color = diverging((p - 0.5) * 2 * 0.8);
      }
      const i = ((rows - 1 - r) * cols + c) * 4;
      img.data[i] = color[0];
      img.data[i + 1] = color[1];
      img.data[i + 2] = color[2];
      img.data[i + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

function pointColor(label, classes) {
  if (classes > 2) return rgb(classColor(label));
  return rgb(diverging(label ? 1 : -1));
}

export function drawPoints(ctx, grid, options) {
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  const x = linearScale(grid.x_range, [0, width]);
  const y = linearScale(grid.y_range, [height, 0]);
  const sets = [["train", true]];
  if (options.showTest !== false) sets.push(["test", false]);
  for (const [name, filled] of sets) {
    const part = grid[name];
    if (!part || !part.x) continue;
    part.x.forEach(([px, py], i) => {
      ctx.beginPath();
      ctx.arc(x(px), y(py), filled ? 3.2 : 3.6, 0, 2 * Math.PI);
      ctx.fillStyle = pointColor(part.y[i], grid.classes);
      if (filled) {
        ctx.fill();
        ctx.strokeStyle = "#fff";
        ctx.lineWidth = 1;
      } else {
        ctx.fillStyle = "rgba(255,255,255,0.6)";
        ctx.fill();
        ctx.strokeStyle = pointColor(part.y[i], grid.classes);
        ctx.lineWidth = 1.6;
      }
      ctx.stroke();
    });
  }
  ctx.strokeStyle = COLORS.axis;
  ctx.lineWidth = 1;
  ctx.strokeRect(0.5, 0.5, width - 1, height - 1);
}

const logit = (p) => {
  const q = Math.min(1 - 1e-7, Math.max(1e-7, p));
  return Math.log(q / (1 - q));
};

/**
 * Segments of the p = `level` line of a binary grid (marching squares), in data
 * coordinates. Crossings are interpolated on the logit, which is exactly linear
 * in x for a linear model: its boundary comes out a straight line.
 */
export function halfContour(grid, level = 0.5) {
  const P = grid.probabilities;
  const rows = P.length;
  const cols = P[0].length;
  const t = logit(level);
  const X = (c) => grid.x_range[0] + (c / (cols - 1)) * (grid.x_range[1] - grid.x_range[0]);
  const Y = (r) => grid.y_range[0] + (r / (rows - 1)) * (grid.y_range[1] - grid.y_range[0]);
  const segments = [];
  for (let r = 0; r + 1 < rows; r += 1) {
    for (let c = 0; c + 1 < cols; c += 1) {
      // corners in order around the cell: (r,c) (r,c+1) (r+1,c+1) (r+1,c)
      const corners = [[r, c], [r, c + 1], [r + 1, c + 1], [r + 1, c]];
      const v = corners.map(([rr, cc]) => logit(P[rr][cc]) - t);
      const hits = [];
      for (let k = 0; k < 4; k += 1) {
        const a = v[k];
        const b = v[(k + 1) % 4];
        if ((a < 0) === (b < 0)) continue;
        const f = a / (a - b);
        const [r0, c0] = corners[k];
        const [r1, c1] = corners[(k + 1) % 4];
        hits.push([X(c0 + f * (c1 - c0)), Y(r0 + f * (r1 - r0))]);
      }
      if (hits.length === 2) segments.push(hits);
      else if (hits.length === 4) segments.push([hits[0], hits[1]], [hits[2], hits[3]]); // a saddle
    }
  }
  return segments;
}

/** The p = 0.5 line drawn over a points overlay of display size (binary grids only). */
export function drawContour(ctx, grid, options) {
  if (grid.classes > 2) return;
  const x = linearScale(grid.x_range, [0, options.width]);
  const y = linearScale(grid.y_range, [options.height, 0]);
  ctx.strokeStyle = options.color || COLORS.text;
  ctx.lineWidth = options.lineWidth || 2;
  ctx.setLineDash(options.dash || []);
  ctx.beginPath();
  for (const [[x0, y0], [x1, y1]] of halfContour(grid, options.level ?? 0.5)) {
    ctx.moveTo(x(x0), y(y0));
    ctx.lineTo(x(x1), y(y1));
  }
  ctx.stroke();
  ctx.setLineDash([]);
}
