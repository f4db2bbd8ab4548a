/**
 * The fitted curve of a model with one input over its data points: universal
 * approximation, watched live (the 1-D counterpart of decisionMap.js).
 *
 * drawFitCurve(ctx, fit, {width, height, showTest}): `fit` is the server's
 * decision-grid answer of kind "curve": {x_range, y_range, curve: {x, y},
 * train: {x: [[x]], y}, test}. The y axis spans the targets; a curve that
 * leaves it is clipped, so a wild early fit does not squash the data.
 * curvePath(fit, xScale, yScale) is pure (tested): polyline pieces, split at
 * missing values.
 */

import { linearScale, niceTicks } from "../scale.js";
import { fmtNum } from "../format.js";
import { COLORS } from "./theme.js";

const M = { left: 40, right: 12, top: 12, bottom: 24 };

export function curvePath(fit, xs, ys) {
  const pieces = [];
  let cur = [];
  const { x, y } = fit.curve || { x: [], y: [] };
  x.forEach((vx, i) => {
    const vy = y[i];
    if (vy === null || vy === undefined || !Number.isFinite(vy)) {
      if (cur.length) pieces.push(cur);
      cur = [];
      return;
    }
    cur.push([xs(vx), ys(vy)]);
  });
  if (cur.length) pieces.push(cur);
  return pieces;
}

export function drawFitCurve(ctx, fit, options) {
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  ctx.font = "11px system-ui, sans-serif";
  const plot = { l: M.left, r: width - M.right, t: M.top, b: height - M.bottom };
  const xs = linearScale(fit.x_range, [plot.l, plot.r]);
  const ys = linearScale(fit.y_range, [plot.b, plot.t]);

  ctx.strokeStyle = COLORS.grid;
  ctx.fillStyle = COLORS.muted;
  ctx.lineWidth = 1;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of niceTicks(fit.y_range[0], fit.y_range[1], 4)) {
    const py = Math.round(ys(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(plot.l, py);
    ctx.lineTo(plot.r, py);
    ctx.stroke();
    ctx.fillText(fmtNum(t, 2), plot.l - 5, py);
  }
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of niceTicks(fit.x_range[0], fit.x_range[1], 5)) ctx.fillText(fmtNum(t, 2), xs(t), plot.b + 5);

  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.l, plot.t, plot.r - plot.l, plot.b - plot.t);
  ctx.clip();
  const sets = [["train", true]];
  if (options.showTest !== false) sets.push(["test", false]);
  for (const [name, filled] of sets) {
    const part = fit[name];
    if (!part?.x) continue;
    part.x.forEach((px, i) => {
      ctx.beginPath();
      ctx.arc(xs(Array.isArray(px) ? px[0] : px), ys(part.y[i]), filled ? 2.6 : 3, 0, 2 * Math.PI);
      if (filled) {
        ctx.fillStyle = "rgba(245,147,34,0.55)";
        ctx.fill();
      } else {
        ctx.strokeStyle = "rgba(107,119,133,0.7)";
        ctx.lineWidth = 1.2;
        ctx.stroke();
      }
    });
  }
  ctx.strokeStyle = COLORS.train;
  ctx.lineWidth = 2.5;
  ctx.lineJoin = "round";
  for (const piece of curvePath(fit, xs, ys)) {
    ctx.beginPath();
    piece.forEach(([px, py], i) => (i ? ctx.lineTo(px, py) : ctx.moveTo(px, py)));
    ctx.stroke();
  }
  ctx.restore();
  ctx.strokeStyle = COLORS.axis;
  ctx.lineWidth = 1;
  ctx.strokeRect(plot.l + 0.5, plot.t + 0.5, plot.r - plot.l - 1, plot.b - plot.t - 1);
}
