/**
 * The decision boundary of a 2-D classifier, as in TensorFlow Playground.
 *
 * drawDecisionGrid(ctx, grid, options): at data resolution (canvas is
 *   resolution x resolution, scaled by CSS). Row 0 of `probabilities` is the
 *   lowest y, so it is drawn at the bottom.
 * drawPoints(ctx, grid, {width, height, showTest}): train points filled,
 *   test points hollow, on an overlay canvas of display size.
 */

import { linearScale } from "../scale.js";
import { diverging, classColor, rgb, COLORS } from "./theme.js";

export function drawDecisionGrid(ctx, grid) {
  const rows = grid.probabilities.length;
  const cols = grid.probabilities[0].length;
  const img = ctx.createImageData(cols, rows);
  const multi = grid.classes > 2 && grid.labels;
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      const p = grid.probabilities[r][c];
      let color;
      if (multi) {
        // confidence fades the class colour towards white
        const base = classColor(grid.labels[r][c]);
        const t = Math.max(0, (p - 1 / grid.classes) / (1 - 1 / grid.classes));
        color = base.map((v) => Math.round(250 + (v - 250) * t * 0.75));
      } else {
        color = diverging((p - 0.5) * 2 * 0.8);
      }
      const i = ((rows - 1 - r) * cols + c) * 4;
      img.data[i] = color[0];
      img.data[i + 1] = color[1];
      img.data[i + 2] = color[2];
      img.data[i + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

function pointColor(label, classes) {
  if (classes > 2) return rgb(classColor(label));
  return rgb(diverging(label ? 1 : -1));
}

export function drawPoints(ctx, grid, options) {
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  const x = linearScale(grid.x_range, [0, width]);
  const y = linearScale(grid.y_range, [height, 0]);
  const sets = [["train", true]];
  if (options.showTest !== false) sets.push(["test", false]);
  for (const [name, filled] of sets) {
    const part = grid[name];
    if (!part || !part.x) continue;
    part.x.forEach(([px, py], i) => {
      ctx.beginPath();
      ctx.arc(x(px), y(py), filled ? 3.2 : 3.6, 0, 2 * Math.PI);
      ctx.fillStyle = pointColor(part.y[i], grid.classes);
      if (filled) {
        ctx.fill();
        ctx.strokeStyle = "#fff";
        ctx.lineWidth = 1;
      } else {
        ctx.fillStyle = "rgba(255,255,255,0.6)";
        ctx.fill();
        ctx.strokeStyle = pointColor(part.y[i], grid.classes);
        ctx.lineWidth = 1.6;
      }
      ctx.stroke();
    });
  }
  ctx.strokeStyle = COLORS.axis;
  ctx.lineWidth = 1;
  ctx.strokeRect(0.5, 0.5, width - 1, height - 1);
}
