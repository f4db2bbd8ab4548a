/**
 * The shift sweep: the model's confidence in one class as the digit moves
 * sideways, one vertical bar per shift, the current shift marked. A flat row
 * of tall bars is translation invariance; a peak at 0 is a model that learned
 * pixel positions.
 * drawSweep(ctx, {shifts: [-6..6], values: [0..1], current, compare}, {width, height})
 * compare: {values, label, mainLabel}: a second model's bars beside the first's
 * (green), each model's confidence in its own answer for the unshifted digit.
 */

import { fmtPct } from "../format.js";
import { COLORS } from "./theme.js";

const M = { left: 36, right: 6, top: 14, bottom: 18 };

export function drawSweep(ctx, data, options) {
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  const values = data.values || [];
  if (!values.length) {
    ctx.fillStyle = COLORS.muted;
    ctx.font = "12px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.fillText(options.empty || "Draw a digit to see the sweep", width / 2, height / 2);
    return;
  }
  ctx.font = "10px system-ui, sans-serif";
  const plotW = width - M.left - M.right;
  const plotH = height - M.top - M.bottom;
  const slot = plotW / values.length;
  const two = Boolean(data.compare?.values?.length);
  const barW = Math.max(3, slot * (two ? 0.38 : 0.7));
  ctx.strokeStyle = COLORS.grid;
  ctx.fillStyle = COLORS.muted;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of [0, 0.5, 1]) {
    const y = Math.round(M.top + plotH * (1 - t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(M.left, y);
    ctx.lineTo(width - M.right, y);
    ctx.stroke();
    ctx.fillText(fmtPct(t, 0), M.left - 4, y);
  }
  values.forEach((v, i) => {
    const h = Number.isFinite(v) ? Math.max(0, Math.min(1, v)) * plotH : 0;
    const cx = M.left + slot * (i + 0.5);
    const here = data.shifts[i] === data.current;
    ctx.fillStyle = here ? COLORS.val : COLORS.train;
    ctx.fillRect(two ? cx - barW : cx - barW / 2, M.top + plotH - h, barW, h);
    if (two) {
      const v2 = data.compare.values[i];
      const h2 = Number.isFinite(v2) ? Math.max(0, Math.min(1, v2)) * plotH : 0;
      ctx.fillStyle = COLORS.good;
      ctx.fillRect(cx, M.top + plotH - h2, barW, h2);
    }
    ctx.fillStyle = here ? COLORS.text : COLORS.muted;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText(String(data.shifts[i]), cx, M.top + plotH + 4);
  });
  ctx.textAlign = "right";
  ctx.textBaseline = "top";
  ctx.fillStyle = COLORS.muted;
  ctx.fillText("shift in pixels \u2192", width - M.right, 0);
  if (two) {
    ctx.textAlign = "left";
    let x = M.left;
    for (const [label, color] of [[data.compare.mainLabel || "model", COLORS.train], [data.compare.label, COLORS.good]]) {
      ctx.fillStyle = color;
      ctx.fillRect(x, 3, 10, 7);
      ctx.fillStyle = COLORS.text;
      ctx.fillText(label, x + 13, 1);
      x += ctx.measureText(label).width + 28;
    }
  }
}
