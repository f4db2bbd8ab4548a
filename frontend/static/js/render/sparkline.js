/**
 * A loss sparkline: the points as a line scaled to the box, the last value as a dot.
 * drawSparkline(ctx, values, {width, height, color})
 */

import { COLORS } from "./theme.js";

export function drawSparkline(ctx, values, { width, height, color = COLORS.train } = {}) {
  ctx.clearRect(0, 0, width, height);
  const ys = values.filter((v) => Number.isFinite(v));
  if (ys.length < 2) return;
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const span = hi - lo || 1;
  const pad = 3;
  const x = (i) => pad + ((width - 2 * pad) * i) / (ys.length - 1);
  const y = (v) => pad + (height - 2 * pad) * (1 - (v - lo) / span);
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ys.forEach((v, i) => (i ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
  ctx.stroke();
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.arc(x(ys.length - 1), y(ys.at(-1)), 2.5, 0, 2 * Math.PI);
  ctx.fill();
}
