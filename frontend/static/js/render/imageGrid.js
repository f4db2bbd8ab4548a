/**
 * A grid of small images (filters, 28x28 weight images, feature maps, digits)
 * drawn at data resolution with one putImageData; CSS scales the canvas up
 * (image-rendering: pixelated), so a 5x5 filter stays crisp.
 *
 * gridSize(data, options) -> {width, height} in data pixels: the caller sizes the canvas.
 * drawImageGrid(ctx, {images: [2-D arrays]}, {cols, gap, colormap, normalize})
 *   colormap: "gray" | "ink" | "diverging"; normalize: "none" | "each" | "global".
 */

import { gray, ink, diverging } from "./theme.js";

const MAPS = { gray, ink, diverging };

export function gridSize(data, options = {}) {
  const imgs = data.images || [];
  if (!imgs.length) return { width: 1, height: 1, cols: 1, rows: 1 };
  const h = imgs[0].length;
  const w = imgs[0][0].length;
  const gap = options.gap ?? 1;
  const cols = Math.min(options.cols || Math.ceil(Math.sqrt(imgs.length)), imgs.length);
  const rows = Math.ceil(imgs.length / cols);
  return { width: cols * w + (cols - 1) * gap, height: rows * h + (rows - 1) * gap, cols, rows, w, h, gap };
}

function range(img, symmetric) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of img) for (const v of row) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (symmetric) {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    return [-m, m];
  }
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

export function drawImageGrid(ctx, data, options = {}) {
  const size = gridSize(data, options);
  const imgs = data.images || [];
  const out = ctx.createImageData(size.width, size.height);
  const px = out.data;
  // gaps stay a light grey so tiles read as separate images
  for (let i = 0; i < px.length; i += 4) {
    px[i] = 226;
    px[i + 1] = 230;
    px[i + 2] = 236;
    px[i + 3] = 255;
  }
  const cmap = MAPS[options.colormap || "gray"];
  const symmetric = options.colormap === "diverging";
  const norm = options.normalize || "each";
  let global = null;
  if (norm === "global") {
    let lo = Infinity;
    let hi = -Infinity;
    for (const img of imgs) {
      const [a, b] = range(img, symmetric);
      lo = Math.min(lo, a);
      hi = Math.max(hi, b);
    }
    global = [lo, hi];
  }
  imgs.forEach((img, k) => {
    const [lo, hi] = norm === "none" ? (symmetric ? [-1, 1] : [0, 1]) : global || range(img, symmetric);
    const ox = (k % size.cols) * (size.w + size.gap);
    const oy = Math.floor(k / size.cols) * (size.h + size.gap);
    for (let r = 0; r < size.h; r += 1) {
      for (let c = 0; c < size.w; c += 1) {
        const v = img[r][c];
        const t = symmetric ? v / hi : (v - lo) / (hi - lo);
        const [R, G, B] = cmap(t);
        const i = ((oy + r) * size.width + ox + c) * 4;
        px[i] = R;
        px[i + 1] = G;
        px[i + 2] = B;
      }
    }
  });
  ctx.putImageData(out, 0, 0);
  return size;
}
