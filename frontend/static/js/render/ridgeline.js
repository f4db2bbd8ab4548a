/**
 * Weight histograms over time as a ridgeline, like TensorBoard's histogram
 * view: the oldest snapshot at the back (top), the newest in front (bottom),
 * each ridge labelled with its training step. Edges may differ between
 * snapshots, so every ridge is drawn on one shared value axis instead of being
 * re-binned. Ridges are opaque and newer ones cover older ones, so overlapping
 * shapes stay readable.
 *
 * drawRidgeline(ctx, {hists: [{step, counts, edges}]}, {width, height, max, empty})
 * pickEvenly(list, k) / ridgeLayout(n, height) are pure (tested).
 */

import { linearScale, niceTicks } from "../scale.js";
import { fmtNum } from "../format.js";
import { COLORS } from "./theme.js";

const M = { right: 12, top: 10, bottom: 30 };
const OLD = [207, 227, 241];
const NEW = [8, 119, 189];

/** At most k items of list, evenly spaced, always the first and the last. */
export function pickEvenly(list, k) {
  if (list.length <= k) return list.slice();
  if (k <= 1) return [list[list.length - 1]];
  const out = [];
  for (let i = 0; i < k; i += 1) out.push(list[Math.round((i * (list.length - 1)) / (k - 1))]);
  return out;
}

/**
 * Baselines for n ridges in a plot of `height` pixels: each ridge is twice as
 * tall as the gap between baselines, so neighbours overlap by half.
 * -> {gap, ridgeH}; baseline i (0 = oldest) is at top + ridgeH + i * gap.
 */
export function ridgeLayout(n, height) {
  if (n <= 1) return { gap: 0, ridgeH: height };
  const gap = height / (n + 1);
  return { gap, ridgeH: 2 * gap };
}

const mix = (t) => `rgb(${[0, 1, 2].map((i) => Math.round(OLD[i] + (NEW[i] - OLD[i]) * t)).join(",")})`;

export function drawRidgeline(ctx, data, options) {
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  ctx.font = "11px system-ui, sans-serif";
  const all = (data.hists || []).filter((h) => h.counts?.length && h.edges?.length === h.counts.length + 1);
  if (!all.length) {
    ctx.fillStyle = COLORS.muted;
    ctx.textAlign = "center";
    ctx.fillText(options.empty || "No snapshot yet", width / 2, height / 2);
    return;
  }
  const plotH = height - M.top - M.bottom;
  // No more ridges than fit with readable labels (about 14 px apart).
  const fit = Math.max(2, Math.floor(plotH / 14) - 1);
  const hists = pickEvenly(all, Math.min(options.max || 10, fit));
  let lo = Infinity;
  let hi = -Infinity;
  let peak = 0;
  for (const h of hists) {
    lo = Math.min(lo, h.edges[0]);
    hi = Math.max(hi, h.edges[h.edges.length - 1]);
    for (const c of h.counts) peak = Math.max(peak, c);
  }
  if (!(hi > lo)) hi = lo + 1;
  const labels = hists.map((h) => `step ${h.step}`);
  const left = Math.ceil(Math.max(...labels.map((l) => ctx.measureText(l).width))) + 14;
  const { gap, ridgeH } = ridgeLayout(hists.length, plotH);
  const x = linearScale([lo, hi], [left, width - M.right]);
  // Label every ridge when there is room, else every second one (the newest always).
  const every = gap >= 13 || hists.length === 1 ? 1 : 2;

  hists.forEach((h, i) => {
    const base = M.top + ridgeH + i * gap;
    const t = hists.length > 1 ? i / (hists.length - 1) : 1;
    ctx.beginPath();
    ctx.moveTo(x(h.edges[0]), base);
    h.counts.forEach((c, j) => {
      const mid = (h.edges[j] + h.edges[j + 1]) / 2;
      ctx.lineTo(x(mid), base - (c / (peak || 1)) * ridgeH);
    });
    ctx.lineTo(x(h.edges[h.edges.length - 1]), base);
    ctx.closePath();
    ctx.fillStyle = mix(t);
    ctx.fill();
    ctx.strokeStyle = t > 0.5 ? "#fff" : COLORS.train;
    ctx.lineWidth = 1;
    ctx.stroke();
    ctx.strokeStyle = COLORS.grid;
    ctx.beginPath();
    ctx.moveTo(left, Math.round(base) + 0.5);
    ctx.lineTo(width - M.right, Math.round(base) + 0.5);
    ctx.stroke();
    if ((hists.length - 1 - i) % every === 0) {
      ctx.fillStyle = i === hists.length - 1 ? COLORS.text : COLORS.muted;
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      ctx.fillText(labels[i], left - 6, base);
    }
  });

  const axisY = M.top + plotH + 0.5;
  ctx.strokeStyle = COLORS.axis;
  ctx.beginPath();
  ctx.moveTo(left, axisY);
  ctx.lineTo(width - M.right, axisY);
  ctx.stroke();
  ctx.fillStyle = COLORS.muted;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const t of niceTicks(lo, hi, 5)) ctx.fillText(fmtNum(t, 2), x(t), axisY + 3);
  ctx.textAlign = "right";
  ctx.textBaseline = "bottom";
  ctx.fillText("weight value", width - M.right, height);
}
