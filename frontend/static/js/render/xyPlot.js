/**
 * An x-y plot with numeric axes on both sides, each linear or log10: curves,
 * dashed lines, dots and vertical markers (the Learn labs' function curves and
 * error-vs-step-size charts). Null or non-finite y breaks a line.
 * drawXY(ctx, {series: [{label, color, points: [[x, y]], dash, width, dots}],
 *              vlines: [{x, color, label}], hlines: [{y, color}], marks: [{x, y, color, label}]},
 *        {width, height, xLog, yLog, xLabel, yLabel, xRange, yRange})
 */

import { extent, linearScale, logScale, niceTicks, logTicks } from "../scale.js";
import { fmtNum } from "../format.js";
import { COLORS } from "./theme.js";
import { drawYGrid } from "./axes.js";
import { drawSeries } from "./series.js";

const M = { left: 50, right: 12, top: 22, bottom: 30 };

const usable = (v, log) => v !== null && Number.isFinite(v) && (!log || v > 0);

function axisTicks(range, log) {
  if (!log) return niceTicks(range[0], range[1], 5);
  const t = logTicks(range[0], range[1]).filter((v) => v >= range[0] * 0.999 && v <= range[1] * 1.001);
  // Many decades: every other or third power, so the labels do not collide.
  const every = Math.ceil(t.length / 7);
  return t.filter((_, i) => i % every === 0);
}

/** The domain a set of values needs, padded a little on a linear axis. */
export function plotRange(values, log) {
  const r = extent(values.filter((v) => usable(v, log)));
  if (!r) return log ? [1e-3, 1] : [-1, 1];
  if (log) return [r[0] / 1.5, r[1] * 1.5]; // room for the end points' dots
  const pad = (r[1] - r[0]) * 0.05;
  return [r[0] - pad, r[1] + pad];
}

export function drawXY(ctx, data, options) {
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  ctx.font = "11px system-ui, sans-serif";
  const series = (data.series || []).filter((s) => s.points && s.points.length);
  const pts = series.flatMap((s) => s.points);
  const xr = options.xRange || plotRange(pts.map((p) => p[0]), options.xLog);
  const yr = options.yRange || plotRange(pts.map((p) => p[1]), options.yLog);
  const plotW = width - M.left - M.right;
  const plotH = height - M.top - M.bottom;
  const x = (options.xLog ? logScale : linearScale)(xr, [M.left, M.left + plotW]);
  const y = (options.yLog ? logScale : linearScale)(yr, [M.top + plotH, M.top]);

  drawYGrid(ctx, axisTicks(yr, options.yLog), y, M, plotW);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of axisTicks(xr, options.xLog)) {
    const px = Math.round(x(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, M.top);
    ctx.lineTo(px, M.top + plotH);
    ctx.stroke();
    ctx.fillText(fmtNum(t, 2), px, M.top + plotH + 5);
  }
  ctx.strokeStyle = COLORS.axis;
  ctx.strokeRect(M.left + 0.5, M.top + 0.5, plotW, plotH);

  ctx.save();
  ctx.beginPath();
  ctx.rect(M.left, M.top, plotW, plotH);
  ctx.clip();
  for (const v of data.vlines || []) {
    ctx.strokeStyle = v.color || COLORS.muted;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(x(v.x), M.top);
    ctx.lineTo(x(v.x), M.top + plotH);
    ctx.stroke();
  }
  for (const h of data.hlines || []) {
    if (!usable(h.y, options.yLog)) continue;
    ctx.strokeStyle = h.color || COLORS.muted;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(M.left, y(h.y));
    ctx.lineTo(M.left + plotW, y(h.y));
    ctx.stroke();
  }
  const ok = (px, py) => usable(py, options.yLog) && usable(px, options.xLog);
  for (const s of series) {
    drawSeries(ctx, s, s.points, { x, y, ok, width: 1.8, radius: 2.4, line: !s.dotsOnly, dots: s.dots });
  }
  ctx.setLineDash([]);
  for (const m of data.marks || []) {
    if (!usable(m.y, options.yLog)) continue;
    ctx.fillStyle = m.color || COLORS.text;
    ctx.strokeStyle = "#fff";
    ctx.beginPath();
    ctx.arc(x(m.x), y(m.y), 4.5, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
  ctx.restore();

  // legend
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  let lx = M.left;
  for (const s of series.filter((t) => t.label)) {
    ctx.fillStyle = s.color;
    ctx.fillRect(lx, 9, 12, 3);
    ctx.fillStyle = COLORS.text;
    ctx.fillText(s.label, lx + 16, 10);
    lx += ctx.measureText(s.label).width + 30;
  }
  ctx.fillStyle = COLORS.muted;
  if (options.xLabel) {
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText(options.xLabel, width - M.right, height - 1);
  }
  if (options.yLabel) {
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ctx.fillText(options.yLabel, width - M.right, 10);
  }
}
