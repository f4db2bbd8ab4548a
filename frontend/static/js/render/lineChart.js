/**
 * Line chart on a canvas: axes with nice ticks, linear or log y, a legend.
 * drawLineChart(ctx, {series: [{label, color, points: [[x, y]], dash, width}]},
 *               {width, height, yLog, yMin, yMax, xMin, xLabel, fractionalX, empty,
 *                marks: [{x, label, color}]})   marks: vertical lines (an lr change, a pause)
 */

import { extent, linearScale, logScale, niceTicks, logTicks, downsample } from "../scale.js";
import { fmtNum, fmtStep } from "../format.js";
import { COLORS } from "./theme.js";
import { drawYGrid } from "./axes.js";
import { drawSeries } from "./series.js";

const MARGIN = { left: 46, right: 12, top: 22, bottom: 26 };
const MAX_POINTS = 600; // per series, whatever the run length

export function drawLineChart(ctx, data, options) {
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  ctx.font = "11px system-ui, sans-serif";
  const series = (data.series || []).filter((s) => s.points && s.points.length);
  let M = MARGIN;
  let plotW = width - M.left - M.right;
  const plotH = height - M.top - M.bottom;
  if (!series.length) {
    ctx.fillStyle = COLORS.muted;
    ctx.textAlign = "center";
    ctx.fillText(options.empty || "Waiting for data\u2026", width / 2, height / 2);
    return;
  }
  const xs = extent(series.flatMap((s) => s.points.map((p) => p[0])));
  let ys = extent(series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => !options.yLog || v > 0)) || [1e-3, 1];
  if (options.yMin !== undefined) ys = [options.yMin, Math.max(ys[1], options.yMin + 1e-9)];
  if (options.yMax !== undefined) ys = [ys[0], options.yMax];
  let yt = options.yLog ? logTicks(ys[0], ys[1]).filter((t) => t >= ys[0] * 0.999 && t <= ys[1] * 1.001) : niceTicks(ys[0], ys[1], 4);
  // Less than two decades on a log axis: plain ticks read better than one lonely power of ten.
  if (options.yLog && yt.length < 2) yt = niceTicks(ys[0], ys[1], 3).filter((t) => t > 0);
  // Long tick labels (1.5e+33 from a diverging run) widen the margin instead of being cut off.
  const labelW = Math.max(0, ...yt.map((t) => ctx.measureText(fmtNum(t, 2)).width));
  if (labelW + 9 > M.left) {
    M = { ...M, left: Math.ceil(labelW + 9) };
    plotW = width - M.left - M.right;
  }
  const x0 = Math.min(xs[0], options.xMin ?? xs[0]);
  const x = linearScale([x0, Math.max(xs[1], x0 + (options.fractionalX ? 1e-9 : 1))], [M.left, M.left + plotW]);
  const y = options.yLog ? logScale(ys, [M.top + plotH, M.top]) : linearScale(ys, [M.top + plotH, M.top]);

  drawYGrid(ctx, yt, y, M, plotW);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  // x is a step count: fractional ticks would name steps that do not exist
  // Labels near the right edge are right-aligned so they stay inside the canvas.
  // (options.fractionalX: x is not a step count, e.g. epochs, and 0.5 is a real tick)
  const xTicks = niceTicks(x0, Math.max(xs[1], x0 + (options.fractionalX ? 1e-9 : 1)), 5);
  for (const t of options.fractionalX ? xTicks : xTicks.filter(Number.isInteger)) {
    const px = Math.round(x(t)) + 0.5;
    const label = options.fractionalX ? fmtNum(t, 3) : fmtStep(t);
    const half = ctx.measureText(label).width / 2;
    ctx.textAlign = px + half > width - 1 ? "right" : "center";
    ctx.fillText(label, ctx.textAlign === "right" ? width - 1 : px, M.top + plotH + 5);
  }
  ctx.textAlign = "center";
  ctx.strokeStyle = COLORS.axis;
  ctx.beginPath();
  ctx.moveTo(M.left + 0.5, M.top);
  ctx.lineTo(M.left + 0.5, M.top + plotH + 0.5);
  ctx.lineTo(M.left + plotW, M.top + plotH + 0.5);
  ctx.stroke();

  // marks under the series: a dashed line with its label at the foot of the plot
  ctx.font = "10px system-ui, sans-serif";
  for (const m of options.marks || []) {
    if (!(m.x >= x0 && m.x <= Math.max(xs[1], x0 + 1))) continue;
    const px = Math.round(x(m.x)) + 0.5;
    ctx.strokeStyle = m.color || COLORS.muted;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(px, M.top);
    ctx.lineTo(px, M.top + plotH);
    ctx.stroke();
    ctx.setLineDash([]);
    if (m.label) {
      ctx.fillStyle = m.color || COLORS.muted;
      ctx.textAlign = px > M.left + plotW - 60 ? "right" : "left";
      ctx.textBaseline = "bottom";
      ctx.fillText(m.label, px + (ctx.textAlign === "right" ? -3 : 3), M.top + plotH - 2);
    }
  }
  ctx.font = "11px system-ui, sans-serif";

  // series, clipped to the plot so a spike does not paint over the legend
  ctx.save();
  ctx.beginPath();
  ctx.rect(M.left, M.top - 2, plotW + 2, plotH + 4);
  ctx.clip();
  const ok = (px, py) => Number.isFinite(py) && !(options.yLog && py <= 0);
  for (const s of series) {
    const pts = downsample(s.points, MAX_POINTS);
    drawSeries(ctx, s, pts, { x, y, ok, width: 1.6, radius: 2.5, dots: s.markers || pts.length === 1 });
  }
  ctx.restore();
  ctx.setLineDash([]);

  // legend with the latest value of each series
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  let lx = M.left;
  for (let i = 0; i < series.length; i += 1) {
    const s = series[i];
    // (a series may name its own value, e.g. the one at a marked x; null: no value)
    const value = "value" in s ? s.value : s.points[s.points.length - 1][1];
    const text = value === null ? s.label : `${s.label} ${fmtNum(value)}`;
    const w = ctx.measureText(text).width + 26;
    if (lx + w > width - 4 && i > 0) {
      ctx.fillStyle = COLORS.muted;
      ctx.fillText(`+${series.length - i} more`, lx, 10);
      break;
    }
    ctx.fillStyle = s.color;
    ctx.fillRect(lx, 8, 10, 3);
    ctx.fillStyle = COLORS.text;
    ctx.fillText(text, lx + 14, 10);
    lx += w;
  }
  if (options.xLabel) {
    ctx.fillStyle = COLORS.muted;
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText(options.xLabel, width - M.right, height - 1);
  }
}
