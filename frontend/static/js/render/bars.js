/**
 * Horizontal bars: class probabilities of a prediction, or per-class accuracy
 * with the best and worst class marked (the "largest gap" of Gender Shades).
 * drawBars(ctx, {values, labels, best, worst, highlight, tags}, {width, height, format, max, empty})
 * tags: {index: "trained on 1%"}, a small note at the right end of that bar's track.
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
  // Wide enough for the longest value ("100.0%") plus its gap from the bar.
  const fmt = options.format || ((v) => v.toFixed(2));
  const valueW = Math.max(48, Math.ceil(Math.max(...values.map((v) => ctx.measureText(fmt(v)).width))) + 10);
  const rowH = Math.min(height / values.length, 34);
  const barH = Math.max(4, Math.min(22, rowH * 0.7));
  const max = options.max ?? Math.max(...values, 1e-9);
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
    const tag = data.tags?.[i];
    if (tag) drawTag(ctx, tag, width - valueW - 4, cy, barH);
  });
}

// A pill right-aligned at x, so the note stays readable over a full or empty bar.
function drawTag(ctx, text, x, cy, barH) {
  ctx.font = "11px system-ui, sans-serif";
  const w = ctx.measureText(text).width + 10;
  const h = Math.min(barH, 16);
  ctx.fillStyle = "rgba(255, 255, 255, 0.9)";
  ctx.fillRect(x - w, cy - h / 2, w, h);
  ctx.strokeStyle = COLORS.bad;
  ctx.lineWidth = 1;
  ctx.strokeRect(x - w + 0.5, cy - h / 2 + 0.5, w - 1, h - 1);
  ctx.fillStyle = COLORS.bad;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.fillText(text, x - w / 2, cy);
  ctx.font = "12px system-ui, sans-serif";
}
