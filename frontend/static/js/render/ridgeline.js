/**
 * Weight histograms over time as a ridgeline (newest in front), like
 * TensorBoard's histogram view. Edges may differ between snapshots, so every
 * ridge is drawn on one shared value axis instead of being re-binned.
 * drawRidgeline(ctx, {hists: [{step, counts, edges}]}, {width, height, color, max})
 */

import { linearScale, niceTicks } from "../scale.js";
import { fmtNum } from "../format.js";
import { COLORS } from "./theme.js";

export function drawRidgeline(ctx, data, options) {
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  ctx.font = "10px system-ui, sans-serif";
  const hists = (data.hists || []).slice(-(options.max || 12));
  if (!hists.length) {
    ctx.fillStyle = COLORS.muted;
    ctx.textAlign = "center";
    ctx.fillText(options.empty || "No snapshot yet", width / 2, height / 2);
    return;
  }
  let lo = Infinity;
  let hi = -Infinity;
  let peak = 0;
  for (const h of hists) {
    lo = Math.min(lo, h.edges[0]);
    hi = Math.max(hi, h.edges[h.edges.length - 1]);
    for (const c of h.counts) peak = Math.max(peak, c);
  }
  if (!(hi > lo)) hi = lo + 1;
  const left = 34;
  const bottom = height - 16;
  const ridgeH = (height - 30) * 0.45;
  const offset = hists.length > 1 ? (height - 30 - ridgeH) / (hists.length - 1) : 0;
  const x = linearScale([lo, hi], [left, width - 8]);
  hists.forEach((h, i) => {
    const age = hists.length - 1 - i; // 0 = newest
    const base = bottom - age * offset;
    ctx.beginPath();
    ctx.moveTo(x(h.edges[0]), base);
    h.counts.forEach((c, j) => {
      const mid = (h.edges[j] + h.edges[j + 1]) / 2;
      ctx.lineTo(x(mid), base - (c / (peak || 1)) * ridgeH);
    });
    ctx.lineTo(x(h.edges[h.edges.length - 1]), base);
    ctx.closePath();
    const alpha = 0.25 + 0.6 * (1 - age / Math.max(1, hists.length - 1));
    ctx.fillStyle = options.color || COLORS.train;
    ctx.globalAlpha = alpha * 0.55;
    ctx.fill();
    ctx.globalAlpha = alpha;
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = 1;
    ctx.stroke();
    ctx.globalAlpha = 1;
    if (age === 0 || age === hists.length - 1) {
      ctx.fillStyle = COLORS.muted;
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      ctx.fillText(String(h.step), left - 4, base - 2);
    }
  });
  ctx.fillStyle = COLORS.muted;
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  for (const t of niceTicks(lo, hi, 4)) ctx.fillText(fmtNum(t, 2), x(t), height);
}
