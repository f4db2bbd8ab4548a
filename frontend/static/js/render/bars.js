/**
 * Horizontal bars: class probabilities of a prediction, or per-class accuracy
 * with the best and worst class marked (the "largest gap" of Gender Shades).
 * drawBars(ctx, {values, labels, best, worst, highlight}, {width, height, format, max, empty})
 */

import { COLORS } from "./theme.js";

export function drawBars(ctx, data, options) {
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  const values = data.values || [];
  ctx.font = "12px system-ui, sans-serif";
  if (!values.length) {
    if (options.empty) {
      ctx.fillStyle = COLORS.muted;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(options.empty, width / 2, height / 2);
    }
    return;
  }
  const labelW = options.labelWidth ?? 26;
  const valueW = 48;
  const rowH = Math.min(height / values.length, 34);
  const barH = Math.max(4, Math.min(22, rowH * 0.7));
  const max = options.max ?? Math.max(...values, 1e-9);
  const fmt = options.format || ((v) => v.toFixed(2));
  values.forEach((v, i) => {
    const cy = i * rowH + rowH / 2;
    let color = "#9fb3c8";
    if (i === data.highlight) color = COLORS.train;
    if (i === data.best) color = COLORS.good;
    if (i === data.worst) color = COLORS.bad;
    const w = Math.max(0, (width - labelW - valueW) * (Number.isFinite(v) ? v / max : 0));
    ctx.fillStyle = "#eef1f5";
    ctx.fillRect(labelW, cy - barH / 2, width - labelW - valueW, barH);
    ctx.fillStyle = color;
    ctx.fillRect(labelW, cy - barH / 2, w, barH);
    ctx.fillStyle = COLORS.text;
    ctx.textBaseline = "middle";
    ctx.textAlign = "right";
    ctx.fillText(data.labels ? String(data.labels[i]) : String(i), labelW - 6, cy);
    ctx.textAlign = "left";
    ctx.fillStyle = i === data.highlight || i === data.best || i === data.worst ? COLORS.text : COLORS.muted;
    ctx.fillText(fmt(v), width - valueW + 6, cy);
  });
}
