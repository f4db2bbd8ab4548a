/**
 * Y = W X + b as blocks of cells with their shapes: W (k x n), X (n x B),
 * b (k x 1) and its broadcast copies (the repeated column, drawn faded), and
 * Y (k x B). A mismatch draws the two operands that disagree with a red
 * outline and no result. data = denseLayer(...) from views/labs/shapes.js.
 */

import { COLORS } from "./theme.js";

const GAP = 26;

function block(ctx, x, y, rows, cols, cell, fill, label, shapeText, { ghostFrom = null, bad = false } = {}) {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const ghost = ghostFrom !== null && j >= ghostFrom;
      ctx.fillStyle = ghost ? "rgba(245,147,34,0.22)" : fill;
      ctx.fillRect(x + j * cell + 1, y + i * cell + 1, cell - 2, cell - 2);
    }
  }
  ctx.strokeStyle = bad ? COLORS.bad : "#8a96a3";
  ctx.lineWidth = bad ? 2.5 : 1;
  ctx.strokeRect(x + 0.5, y + 0.5, cols * cell, rows * cell);
  if (ghostFrom !== null && ghostFrom < cols) {
    ctx.setLineDash([4, 3]);
    ctx.strokeStyle = COLORS.val;
    ctx.strokeRect(x + ghostFrom * cell + 0.5, y + 0.5, (cols - ghostFrom) * cell, rows * cell);
    ctx.setLineDash([]);
  }
  ctx.fillStyle = COLORS.text;
  ctx.textAlign = "center";
  ctx.font = "600 13px system-ui, sans-serif";
  ctx.fillText(label, x + (cols * cell) / 2, y - 8);
  ctx.font = "12px ui-monospace, monospace";
  ctx.fillStyle = bad ? COLORS.bad : COLORS.muted;
  ctx.fillText(shapeText, x + (cols * cell) / 2, y + rows * cell + 16);
}

function sign(ctx, text, x, y) {
  ctx.fillStyle = COLORS.text;
  ctx.font = "18px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.fillText(text, x, y + 6);
}

export function drawDenseShapes(ctx, layer, options) {
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  const [k, n] = layer.W;
  const [nX, B] = layer.X;
  const kb = layer.b[0];
  const Bb = layer.Y ? B : 1;
  const colsTotal = n + B + Bb + (layer.Y ? B : 0);
  const rowsMax = Math.max(k, nX, kb);
  const cell = Math.max(6, Math.min(26, Math.floor((width - 4 * GAP - 10) / colsTotal), Math.floor((height - 60) / rowsMax)));
  const mid = 28 + (rowsMax * cell) / 2;
  const top = (rows) => mid - (rows * cell) / 2;
  let x = Math.max(5, (width - colsTotal * cell - (layer.Y ? 3 : 2) * GAP) / 2);
  const badProduct = nX !== n;
  const badBias = !badProduct && !layer.Y;
  block(ctx, x, top(k), k, n, cell, "#cfe3f2", "W", `${k}\u00d7${n}  (k\u00d7n)`, { bad: badProduct });
  x += n * cell + GAP / 2;
  sign(ctx, "\u00b7", x, mid);
  x += GAP / 2;
  block(ctx, x, top(nX), nX, B, cell, "#d8eedd", "X", `${nX}\u00d7${B}  (n\u00d7B)`, { bad: badProduct });
  x += B * cell + GAP / 2;
  sign(ctx, "+", x, mid);
  x += GAP / 2;
  // b is stored once (k x 1); broadcasting reads the same column for every sample.
  block(ctx, x, top(kb), kb, Bb, cell, "#fbe3c4", "b", layer.Y ? `${kb}\u00d71 \u2192 ${kb}\u00d7${B}` : `${kb}\u00d71`, { ghostFrom: layer.Y ? 1 : null, bad: badBias });
  x += Bb * cell;
  if (layer.Y) {
    x += GAP / 2;
    sign(ctx, "=", x, mid);
    x += GAP / 2;
    block(ctx, x, top(k), k, B, cell, "#e4dcf0", "Y", `${k}\u00d7${B}  (k\u00d7B)`);
  } else {
    ctx.fillStyle = COLORS.bad;
    ctx.font = "600 13px system-ui, sans-serif";
    ctx.textAlign = "left";
    ctx.fillText("shapes do not fit", Math.min(x + GAP / 2, width - 120), mid + 5);
  }
}
