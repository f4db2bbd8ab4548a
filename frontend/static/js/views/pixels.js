/**
 * Small pixel pictures shared by the Draw view and its "Move the digit" card:
 * an image grid on a canvas at data resolution, scaled up by CSS.
 */

import { el, dataCanvas } from "../dom.js";
import { gridSize, drawImageGrid } from "../render/imageGrid.js";

/** A canvas holding `images` as one grid, at most `maxWidth` CSS pixels wide. */
export function pixelCanvas(images, options, label, maxWidth = 300, perPixel = 12) {
  const c = el("canvas", { class: "pixel", role: "img", "aria-label": label });
  const size = gridSize({ images }, options);
  drawImageGrid(dataCanvas(c, size.width, size.height), { images }, options);
  c.style.width = `${Math.min(maxWidth, size.width * perPixel)}px`;
  return c;
}

/** The 28x28 image a model saw, or a blank canvas. */
export function drawSeen(canvas, image) {
  if (Array.isArray(image) && Array.isArray(image[0])) {
    drawImageGrid(dataCanvas(canvas, image[0].length, image.length), { images: [image] }, { colormap: "gray", normalize: "none", gap: 0, cols: 1 });
  } else dataCanvas(canvas, 28, 28).clearRect(0, 0, 28, 28);
}
