/**
 * Vertical bars around a zero line, for values of either sign: logits,
 * probabilities and the gradient of the loss in the softmax lab.
 * drawSignedBars(ctx, {values, labels, highlight, title}, {width, height, range, format})
 */

import { COLORS } from "./theme.js";

export function drawSignedBars(ctx, data, options) {
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  const values = data.values || [];
  if (!values.length) return;
  ctx.font = "11px system-ui, sans-serif";
  const top = 30;
  const bottom = height - 20;
  const [lo, hi] = options.range || [Math.min(0, ...values), Math.max(0, ...values, 1e-9)];
  const yOf = (v) => bottom - ((Math.max(lo, Math.min(hi, v)) - lo) / (hi - lo || 1)) * (bottom - top);
  const zero = yOf(0);
  const slot = width / values.length;
  const barW = Math.min(46, slot * 0.6);
  const fmt = options.format || ((v) => v.toFixed(2));
  ctx.fillStyle = COLORS.text;
  ctx.textAlign = "left";
  ctx.textBaseline = "top";
  if (data.title) ctx.fillText(data.title, 2, 2);
  values.forEach((v, i) => {
    const cx = slot * i + slot / 2;
    const yv = yOf(v);
    ctx.fillStyle = i === data.highlight ? COLORS.train : v < 0 ? COLORS.val : "#9fb3c8";
    ctx.fillRect(cx - barW / 2, Math.min(yv, zero), barW, Math.max(1, Math.abs(zero - yv)));
    ctx.fillStyle = COLORS.text;
    ctx.textAlign = "center";
    // Negative values are labelled above the zero line, clear of the class names below.
    ctx.textBaseline = "bottom";
    ctx.fillText(fmt(v), cx, v < 0 ? zero - 2 : yv - 2);
    ctx.fillStyle = COLORS.muted;
    ctx.textBaseline = "top";
    ctx.fillText(data.labels ? data.labels[i] : String(i), cx, bottom + 5);
  });
  ctx.strokeStyle = COLORS.axis;
  ctx.beginPath();
  ctx.moveTo(0, Math.round(zero) + 0.5);
  ctx.lineTo(width, Math.round(zero) + 0.5);
  ctx.stroke();
}
