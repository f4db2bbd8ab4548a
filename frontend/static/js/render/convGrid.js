/**
 * A grid of numbers as coloured cells (blue positive, orange negative, white
 * 0), for the convolution and pooling labs: padding cells hatched grey, a
 * window outlined, chosen cells circled, numbers written when cells are big
 * enough. data = {values: [row][col] (null = -inf padding), isPad(i, j),
 * window: {i, j, size}, current: [i, j], marks: [[i, j]], scale}.
 */

import { COLORS, diverging } from "./theme.js";

/** Square cells fitted into width x height: {cell, x0, y0}. */
export function gridGeometry(rows, cols, width, height) {
  const cell = Math.max(4, Math.floor(Math.min(width / cols, height / rows)));
  return { cell, x0: Math.floor((width - cell * cols) / 2), y0: Math.floor((height - cell * rows) / 2) };
}

/** The (row, col) under CSS pixel (px, py), or null. */
export function cellAtPoint(rows, cols, width, height, px, py) {
  const { cell, x0, y0 } = gridGeometry(rows, cols, width, height);
  const i = Math.floor((py - y0) / cell);
  const j = Math.floor((px - x0) / cell);
  return i >= 0 && i < rows && j >= 0 && j < cols ? [i, j] : null;
}

const short = (v) => {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? String(Number(v.toFixed(1))) : String(Number(v.toFixed(2))).replace(/^(-?)0\./, "$1.");
};

export function drawCells(ctx, data, options) {
  const { values, isPad = () => false, window = null, current = null, marks = [] } = data;
  const rows = values.length;
  const cols = values[0].length;
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  const { cell, x0, y0 } = gridGeometry(rows, cols, width, height);
  const scale = data.scale || Math.max(1e-9, ...values.flat().filter((v) => v !== null).map(Math.abs));
  const numbers = cell >= 22;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  ctx.font = `${Math.min(12, Math.floor(cell / 2.6))}px ui-monospace, monospace`;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const x = x0 + j * cell;
      const y = y0 + i * cell;
      const v = values[i][j];
      if (isPad(i, j)) {
        ctx.fillStyle = "#eef1f5";
        ctx.fillRect(x, y, cell, cell);
        ctx.strokeStyle = "#d5dbe3";
        ctx.lineWidth = 1;
        ctx.beginPath();
        ctx.moveTo(x, y + cell);
        ctx.lineTo(x + cell, y);
        ctx.stroke();
      } else {
        const [r, g, b] = diverging(v / scale);
        ctx.fillStyle = `rgb(${r},${g},${b})`;
        ctx.fillRect(x, y, cell, cell);
      }
      if (numbers) {
        ctx.fillStyle = isPad(i, j) ? COLORS.muted : Math.abs(v / scale) > 0.6 ? "#fff" : COLORS.text;
        ctx.fillText(v === null ? "\u2212\u221e" : short(v), x + cell / 2, y + cell / 2 + 1);
      }
    }
  }
  if (cell >= 6) {
    ctx.strokeStyle = "rgba(31,41,51,0.12)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 0; i <= rows; i++) { ctx.moveTo(x0, y0 + i * cell + 0.5); ctx.lineTo(x0 + cols * cell, y0 + i * cell + 0.5); }
    for (let j = 0; j <= cols; j++) { ctx.moveTo(x0 + j * cell + 0.5, y0); ctx.lineTo(x0 + j * cell + 0.5, y0 + rows * cell); }
    ctx.stroke();
  }
  ctx.lineWidth = 2;
  ctx.strokeStyle = COLORS.bad;
  for (const [i, j] of marks) {
    ctx.beginPath();
    ctx.arc(x0 + (j + 0.5) * cell, y0 + (i + 0.5) * cell, cell * 0.42, 0, 2 * Math.PI);
    ctx.stroke();
  }
  if (window) {
    ctx.lineWidth = 3;
    ctx.strokeStyle = COLORS.train;
    ctx.strokeRect(x0 + window.j * cell + 1.5, y0 + window.i * cell + 1.5, window.size * cell - 3, window.size * cell - 3);
  }
  if (current) {
    ctx.lineWidth = 3;
    ctx.strokeStyle = COLORS.val;
    ctx.strokeRect(x0 + current[1] * cell + 1.5, y0 + current[0] * cell + 1.5, cell - 3, cell - 3);
  }
}
