/**
 * Axis pieces shared by the line chart and the x-y plot: horizontal grid lines
 * with their y labels. `y` maps a value to a pixel row; M is the chart margin.
 */
import { fmtNum } from "../format.js";
import { COLORS } from "./theme.js";

export function drawYGrid(ctx, ticks, y, M, plotW) {
  ctx.lineWidth = 1;
  ctx.fillStyle = COLORS.muted;
  ctx.strokeStyle = COLORS.grid;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of ticks) {
    const py = Math.round(y(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(M.left, py);
    ctx.lineTo(M.left + plotW, py);
    ctx.stroke();
    ctx.fillText(fmtNum(t, 2), M.left - 5, py);
  }
}
