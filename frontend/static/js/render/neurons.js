/**
 * The network unit by unit, as in TensorFlow Playground: a column per layer
 * (inputs, each hidden layer, the output), each unit a small picture of its
 * output over the input plane (two inputs: a heatmap) or line (one input: a
 * curve), lines between units coloured by the sign of the weight (blue +,
 * orange -) and as thick as its size. A dead ReLU unit is drawn blank.
 *
 * neuronLayout(views, options) -> {tiles: [{x, y, size, column, layer, unit}], columns}
 *   (pure: the renderer and the page's hover both use it)
 * drawNeurons(ctx, {views, decision}, {width, height, highlight: {layer, unit}})
 */

import { diverging, rgb, COLORS } from "./theme.js";
import { drawDecisionGrid } from "./decisionMap.js";

const GAP = 8;
const MAX_TILE = 60;

/** Columns: the inputs, each hidden layer's shown units, one output tile. */
export function neuronLayout(views, { width, height }) {
  const inputs = views.inputs?.length || (views.kind === "2d" ? 2 : 1);
  const counts = [inputs, ...views.layers.map((l) => l.units.length), 1];
  const colW = width / counts.length;
  const most = Math.max(...counts);
  const size = Math.max(8, Math.min(MAX_TILE, colW * 0.5, (height - 24 - GAP * (most - 1)) / most));
  const tiles = [];
  counts.forEach((n, c) => {
    const total = n * size + (n - 1) * GAP;
    const top = 18 + Math.max(0, (height - 24 - total) / 2);
    const x = c * colW + (colW - size) / 2;
    for (let u = 0; u < n; u += 1) {
      tiles.push({ x, y: top + u * (size + GAP), size, column: c, layer: c === 0 ? "input" : c === counts.length - 1 ? "output" : c - 1, unit: u });
    }
  });
  return { tiles, columns: counts.length, size, colW };
}

// One unit's heatmap into an ImageData-backed canvas of the grid's resolution.
function heatmap(values, scale) {
  const rows = values.length;
  const cols = values[0].length;
  const canvas = new OffscreenCanvas(cols, rows);
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(cols, rows);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      const color = diverging(scale ? values[r][c] / scale : 0);
      const i = ((rows - 1 - r) * cols + c) * 4; // row 0 is the lowest y: drawn at the bottom
      img.data[i] = color[0];
      img.data[i + 1] = color[1];
      img.data[i + 2] = color[2];
      img.data[i + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

function curve(ctx, t, values, lo, hi) {
  const span = hi - lo || 1;
  ctx.strokeStyle = COLORS.train;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  values.forEach((v, i) => {
    const px = t.x + (i / (values.length - 1)) * t.size;
    const py = t.y + t.size - ((v - lo) / span) * t.size;
    if (i) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
  });
  ctx.stroke();
}

/** A layer's values share one colour scale, so a weak unit looks weak. */
export function layerScale(layer) {
  let m = 0;
  for (const u of layer.units) for (const v of u.values.flat()) m = Math.max(m, Math.abs(v));
  return m || 1;
}

/** The weight on the line from unit i of column c to unit j of column c + 1. */
export function lineWeight(views, c, i, j) {
  if (c < views.layers.length) return views.layers[c].units[j]?.weights[i] ?? 0;
  const w = views.readout?.weights?.[i];
  if (!w) return 0;
  // Two logits (softmax): what pushes towards class 1 is w1 - w0; one output: its weight.
  return w.length === 2 ? w[1] - w[0] : w[0];
}

export function drawNeurons(ctx, data, options) {
  const { width, height } = options;
  const { views, decision } = data;
  ctx.clearRect(0, 0, width, height);
  if (!views) return;
  const layout = neuronLayout(views, options);
  const { tiles } = layout;
  const col = (c) => tiles.filter((t) => t.column === c);
  // lines first, under the tiles
  let wmax = 1e-9;
  for (let c = 0; c + 1 < layout.columns; c += 1) {
    for (const a of col(c)) for (const b of col(c + 1)) wmax = Math.max(wmax, Math.abs(lineWeight(views, c, a.unit, b.unit)));
  }
  for (let c = 0; c + 1 < layout.columns; c += 1) {
    for (const a of col(c)) {
      for (const b of col(c + 1)) {
        const w = lineWeight(views, c, a.unit, b.unit);
        ctx.strokeStyle = rgb(diverging(w >= 0 ? 0.9 : -0.9));
        ctx.globalAlpha = 0.25 + 0.6 * Math.min(1, Math.abs(w) / wmax);
        ctx.lineWidth = 0.5 + 3 * Math.min(1, Math.abs(w) / wmax);
        ctx.beginPath();
        ctx.moveTo(a.x + a.size, a.y + a.size / 2);
        ctx.lineTo(b.x, b.y + b.size / 2);
        ctx.stroke();
      }
    }
  }
  ctx.globalAlpha = 1;
  ctx.imageSmoothingEnabled = false;
  const twoD = views.kind === "2d";
  const scales = views.layers.map(layerScale);
  for (const t of tiles) {
    ctx.fillStyle = "#fff";
    ctx.fillRect(t.x, t.y, t.size, t.size);
    if (t.layer === "input") {
      // the input itself over the plane (x1, x2, or a feature like x1^2): what the first layer reads
      const values = views.inputs?.[t.unit]?.values;
      if (twoD && values) {
        ctx.drawImage(heatmap(values, Math.max(...values.flat().map(Math.abs)) || 1), t.x, t.y, t.size, t.size);
      } else if (!twoD) curve(ctx, t, views.x, views.x_range[0], views.x_range[1]);
    } else if (t.layer === "output") {
      if (!twoD && views.output) {
        const lo = Math.min(...views.output);
        const hi = Math.max(...views.output);
        curve(ctx, t, views.output, lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo));
      } else if (twoD && decision) {
        const n = decision.probabilities.length;
        const off = new OffscreenCanvas(decision.probabilities[0].length, n);
        drawDecisionGrid(off.getContext("2d"), decision);
        ctx.drawImage(off, t.x, t.y, t.size, t.size);
      }
    } else {
      const layer = views.layers[t.layer];
      const unit = layer.units[t.unit];
      if (unit.dead) {
        ctx.fillStyle = "#eceff3";
        ctx.fillRect(t.x, t.y, t.size, t.size);
        ctx.fillStyle = COLORS.muted;
        ctx.font = "10px system-ui, sans-serif";
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        ctx.fillText("dead", t.x + t.size / 2, t.y + t.size / 2);
      } else if (twoD) ctx.drawImage(heatmap(unit.values, scales[t.layer]), t.x, t.y, t.size, t.size);
      else curve(ctx, t, unit.values, -scales[t.layer], scales[t.layer]);
    }
    const on = options.highlight && options.highlight.layer === t.layer && options.highlight.unit === t.unit;
    ctx.strokeStyle = on ? COLORS.text : COLORS.axis;
    ctx.lineWidth = on ? 2 : 1;
    ctx.strokeRect(t.x + 0.5, t.y + 0.5, t.size - 1, t.size - 1);
  }
  // input names left of their tiles
  ctx.fillStyle = COLORS.text;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of tiles.filter((tt) => tt.layer === "input")) ctx.fillText(views.inputs?.[t.unit]?.label || "x", t.x - 4, t.y + t.size / 2);
  // column heads
  ctx.fillStyle = COLORS.muted;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const heads = ["inputs", ...views.layers.map((l) => `layer ${l.index}${l.activation ? ` ${l.activation}` : ""}${l.total > l.shown ? ` (${l.shown} of ${l.total})` : ""}`), "output"];
  heads.forEach((h, c) => ctx.fillText(h, c * layout.colW + layout.colW / 2, 2));
}

/** The tile under (px, py), or null. */
export function tileAt(views, options, px, py) {
  if (!views) return null;
  return neuronLayout(views, options).tiles.find((t) => px >= t.x && px <= t.x + t.size && py >= t.y && py <= t.y + t.size) || null;
}
