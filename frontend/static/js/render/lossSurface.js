/**
 * A 2-parameter loss surface as a banded heatmap (the bands read as contour
 * lines), with optimizer paths on an overlay canvas.
 * drawSurface(ctx, {loss: rows of b, each a row over w}) at data resolution;
 *   row 0 is the lowest b, drawn at the bottom.
 * drawPaths(ctx, {w, b, paths: [{points, color, label}], optimum: {w, b}}, {width, height})
 * band(loss, lo, hi, bands) -> 0..bands-1 on a log scale (pure)
 */

import { linearScale } from "../scale.js";
import { blues, COLORS } from "./theme.js";

const BANDS = 14;

/** Which of `bands` equal steps of log(loss) between lo and hi the loss falls in. */
export function band(loss, lo, hi, bands = BANDS) {
  if (!(loss > 0) || !(hi > lo)) return 0;
  const t = (Math.log(loss) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
  return Math.max(0, Math.min(bands - 1, Math.floor(t * bands)));
}

export function drawSurface(ctx, grid) {
  const rows = grid.loss.length;
  const cols = grid.loss[0].length;
  const flat = grid.loss.flat().filter((v) => v > 0);
  const lo = Math.min(...flat);
  const hi = Math.max(...flat);
  const img = ctx.createImageData(cols, rows);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      const k = band(grid.loss[r][c], lo, hi);
      const color = blues(0.85 - (0.8 * k) / (BANDS - 1));
      const i = ((rows - 1 - r) * cols + c) * 4;
      img.data.set([color[0], color[1], color[2], 255], i);
    }
  }
  ctx.putImageData(img, 0, 0);
}

export function drawPaths(ctx, data, options) {
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  const wr = [data.w[0], data.w[data.w.length - 1]];
  const br = [data.b[0], data.b[data.b.length - 1]];
  const x = linearScale(wr, [0, width]);
  const y = linearScale(br, [height, 0]);
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, 0, width, height);
  ctx.clip();
  for (const p of data.paths) {
    const pts = p.points.filter((q) => q && q.every((v) => v !== null && Number.isFinite(v)));
    ctx.strokeStyle = p.color;
    ctx.fillStyle = p.color;
    ctx.lineWidth = 1.8;
    ctx.beginPath();
    pts.forEach(([pw, pb], i) => (i ? ctx.lineTo(x(pw), y(pb)) : ctx.moveTo(x(pw), y(pb))));
    ctx.stroke();
    for (const [pw, pb] of pts) {
      ctx.beginPath();
      ctx.arc(x(pw), y(pb), 1.8, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  const start = data.paths[0]?.points[0];
  if (start) {
    ctx.fillStyle = COLORS.text;
    ctx.beginPath();
    ctx.arc(x(start[0]), y(start[1]), 5, 0, 2 * Math.PI);
    ctx.fill();
  }
  if (data.optimum) {
    const ox = x(data.optimum.w);
    const oy = y(data.optimum.b);
    ctx.strokeStyle = COLORS.bad;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(ox - 6, oy - 6);
    ctx.lineTo(ox + 6, oy + 6);
    ctx.moveTo(ox + 6, oy - 6);
    ctx.lineTo(ox - 6, oy + 6);
    ctx.stroke();
  }
  ctx.restore();
  ctx.fillStyle = COLORS.text;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "bottom";
  ctx.fillText(`w \u2192  (${wr[0]} .. ${wr[1]})`, 6, height - 4);
  ctx.save();
  ctx.translate(12, height - 70);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(`b \u2192  (${br[0]} .. ${br[1]})`, 0, 0);
  ctx.restore();
  ctx.strokeStyle = COLORS.axis;
  ctx.lineWidth = 1;
  ctx.strokeRect(0.5, 0.5, width - 1, height - 1);
}

/** Canvas pixel -> (w, b), so a click can choose the start point. */
export function surfacePoint(data, px, py, { width, height }) {
  const x = linearScale([data.w[0], data.w[data.w.length - 1]], [0, width]);
  const y = linearScale([data.b[0], data.b[data.b.length - 1]], [height, 0]);
  return [x.invert(px), y.invert(py)];
}
