/**
 * One data series as a line on a canvas, shared by the line chart and the x-y plot.
 * drawSeries(ctx, {color, dash, width}, points: [[x, y]],
 *            {x, y, ok, width, radius, line, dots})
 * x, y map data to pixels; a point `ok(px, py)` rejects (a NaN loss, a value <= 0
 * on a log axis) lifts the pen, so the line breaks there instead of jumping.
 * `width` is the default line width; `dots` puts a dot of `radius` at each kept point.
 */

export function drawSeries(ctx, s, points, { x, y, ok, width, radius, line = true, dots = false }) {
  ctx.strokeStyle = s.color;
  ctx.fillStyle = s.color;
  ctx.lineWidth = s.width || width;
  ctx.setLineDash(s.dash || []);
  ctx.beginPath();
  let pen = false;
  for (const [px, py] of points) {
    if (!ok(px, py)) {
      pen = false;
      continue;
    }
    if (pen) ctx.lineTo(x(px), y(py));
    else ctx.moveTo(x(px), y(py));
    pen = true;
  }
  if (line) ctx.stroke();
  if (!dots) return;
  for (const [px, py] of points) {
    if (!ok(px, py)) continue;
    ctx.beginPath();
    ctx.arc(x(px), y(py), radius, 0, 2 * Math.PI);
    ctx.fill();
  }
}
