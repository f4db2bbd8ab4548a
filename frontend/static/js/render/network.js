/**
 * The network as a row of blocks, sizes to scale: an image-shaped output
 * (H x W x C) is a stack of squares with side proportional to H and depth
 * growing with log2(C); a vector of n units is a bar with height proportional
 * to sqrt(n) (or n dots when n is small). Activations and other shape-keeping
 * layers are thin coloured strips between blocks.
 * drawNetwork(ctx, {inputShape, layers: [{index, type, output_shape, params, thin}], errorIndex}, {width, height})
 * `thin`: the layer keeps its input's shape (an activation or dropout: the catalog's category says).
 */

import { fmtShape } from "../format.js";
import { COLORS } from "./theme.js";

const STRIP = { relu: "#2e8b57", leaky_relu: "#3cb371", sigmoid: "#8e44ad", tanh: "#9b59b6", softmax: "#c0392b", linear: "#95a5a6", dropout: "#7f8c8d" };
const FILL = { input: "#a9b8c9", conv2d: "#7fb3d5", maxpool2d: "#f5b041", avgpool2d: "#f8c471", flatten: "#c8d1dc", dense: "#5d9cec" };

function blockSize(shape, maxSide, maxH, maxN) {
  if (!shape) return { kind: "unknown", width: 14, height: maxSide * 0.35 };
  if (shape.length === 3) {
    const side = Math.max(6, (shape[0] / maxH) * maxSide);
    const depth = Math.min(40, 4 + 6 * Math.log2(shape[2] + 1));
    return { kind: "stack", side, depth, width: side * 0.55 + depth, height: side + depth * 0.6 };
  }
  const n = shape.reduce((a, b) => a * b, 1);
  const h = Math.max(8, Math.sqrt(n / maxN) * maxSide);
  return { kind: n <= 16 ? "dots" : "bar", n, width: 14, height: n <= 16 ? Math.max(h, n * 9) : h };
}

function drawStack(ctx, cx, cy, b, color, channels) {
  const slices = Math.min(channels, 8);
  const w = b.side * 0.55; // squares seen at an angle
  for (let s = slices - 1; s >= 0; s -= 1) {
    const t = slices === 1 ? 0 : s / (slices - 1);
    const dx = -b.depth / 2 + t * b.depth;
    const dy = b.depth * 0.3 - t * b.depth * 0.6;
    const x = cx - w / 2 + dx;
    const y = cy - b.side / 2 + dy;
    ctx.beginPath();
    ctx.moveTo(x, y + w * 0.25);
    ctx.lineTo(x + w, y);
    ctx.lineTo(x + w, y + b.side - w * 0.25);
    ctx.lineTo(x, y + b.side);
    ctx.closePath();
    ctx.fillStyle = color;
    ctx.globalAlpha = 0.55 + 0.45 * (1 - t);
    ctx.fill();
    ctx.globalAlpha = 1;
    ctx.strokeStyle = "rgba(31,41,51,0.35)";
    ctx.lineWidth = 1;
    ctx.stroke();
  }
}

export function drawNetwork(ctx, data, options) {
  const { width, height } = options;
  ctx.clearRect(0, 0, width, height);
  const layers = data.layers || [];
  const cols = [{ type: "input", output_shape: data.inputShape, index: -1 }, ...layers];
  const shapes = cols.map((c) => c.output_shape || []).filter((s) => s.length);
  const maxH = Math.max(1, ...shapes.filter((s) => s.length === 3).map((s) => s[0]));
  const maxN = Math.max(1, ...shapes.filter((s) => s.length !== 3).map((s) => s.reduce((a, b) => a * b, 1)));
  const maxSide = height - 92;
  const cy = (height - 60) / 2 + 4;
  const thinW = 10;
  const blocks = cols.map((c) => (c.thin ? null : blockSize(c.output_shape, maxSide, maxH, maxN)));
  const need = blocks.reduce((a, b) => a + (b ? Math.max(b.width, 46) + 14 : thinW + 6), 0);
  const k = Math.min(1, (width - 10) / need);
  // Spare width spreads the columns (up to 70 px more each) instead of leaving empty margins.
  const spare = Math.max(0, width - 10 - need);
  const extra = Math.min(70, spare / cols.length);
  let x = 5 + (spare - extra * cols.length) / 2;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "center";
  let blockNo = 0;
  cols.forEach((c, i) => {
    const b = blocks[i];
    const bad = c.index === data.errorIndex;
    if (!b) {
      const w = thinW * k + extra;
      ctx.fillStyle = bad ? COLORS.bad : STRIP[c.type] || COLORS.muted;
      ctx.fillRect(x + w / 2 - Math.max(2, thinW * k - 2) / 2, cy - maxSide * 0.25, Math.max(2, thinW * k - 2), maxSide * 0.5);
      ctx.save();
      ctx.translate(x + w / 2, cy + maxSide * 0.25 + 6);
      ctx.rotate(Math.PI / 2);
      ctx.fillStyle = COLORS.muted;
      ctx.textAlign = "left";
      ctx.textBaseline = "middle";
      ctx.fillText(c.type, 0, 0);
      ctx.restore();
      x += (thinW + 6) * k + extra;
      return;
    }
    const colW = (Math.max(b.width, 46) + 14) * k + extra;
    const cx = x + colW / 2;
    const color = bad ? COLORS.bad : FILL[c.type] || "#a0aec0";
    const sb = { ...b, side: b.side * k ** 0.5, depth: (b.depth || 0) * k, height: b.height * k ** 0.5 };
    if (b.kind === "stack") drawStack(ctx, cx, cy, sb, color, c.output_shape[2]);
    else if (b.kind === "dots") {
      const gap = Math.min(12, (maxSide - 4) / b.n);
      for (let j = 0; j < b.n; j += 1) {
        ctx.beginPath();
        ctx.arc(cx, cy - ((b.n - 1) * gap) / 2 + j * gap, Math.min(4.5, gap * 0.4), 0, 2 * Math.PI);
        ctx.fillStyle = color;
        ctx.fill();
      }
    } else if (b.kind === "unknown") {
      // shape unknown until the model validates: an outline, not a guess
      ctx.setLineDash([3, 3]);
      ctx.strokeStyle = bad ? COLORS.bad : COLORS.axis;
      ctx.strokeRect(cx - 6.5, cy - sb.height / 2 + 0.5, 13, sb.height);
      ctx.setLineDash([]);
    } else {
      ctx.fillStyle = color;
      ctx.fillRect(cx - 6, cy - sb.height / 2, 12, sb.height);
    }
    // Narrow columns stagger their labels on two rows so neighbours do not overlap.
    const name = c.type;
    const shape = c.output_shape ? fmtShape(c.output_shape) : "?";
    const tight = Math.max(ctx.measureText(name).width, ctx.measureText(shape).width) + 6 > colW;
    const lift = tight && blockNo % 2 === 1 ? 28 : 0;
    blockNo += 1;
    ctx.fillStyle = bad ? COLORS.bad : COLORS.text;
    ctx.textBaseline = "bottom";
    ctx.fillText(name, cx, height - 16 - lift);
    ctx.fillStyle = COLORS.muted;
    ctx.fillText(shape, cx, height - 3 - lift);
    x += colW;
  });
}
