/**
 * The Filters & weights view: every conv layer's filters as an image grid and
 * the first dense layer's weights as 28x28 images (for 28x28 inputs), fetched
 * from the server and refreshed while the run trains.
 */

import { api } from "../api.js";
import { el, dataCanvas, throttle } from "../dom.js";
import { gridSize, drawImageGrid } from "../render/imageGrid.js";
import { fmtShape } from "../format.js";
import { hasWeights } from "./runControl.js";
import { isActive } from "../vocab.js";

const $ = (id) => document.getElementById(id);

/** The layers worth showing: conv2d layers, and the first dense layer when the input is an image. */
function targets(spec) {
  if (!spec) return [];
  const out = [];
  let denseSeen = false;
  const image = spec.input_shape?.length === 3 && spec.input_shape[0] === 28 && spec.input_shape[1] === 28;
  spec.layers.forEach((l, i) => {
    if (l.type === "conv2d") out.push({ index: i, kind: "conv" });
    if (l.type === "dense" && !denseSeen) {
      denseSeen = true;
      const convBefore = spec.layers.slice(0, i).some((p) => p.type === "conv2d");
      if (image && !convBefore) out.push({ index: i, kind: "dense" });
    }
  });
  return out;
}

const NOTE_CONV = "Each square is one filter's kernel: the pattern it responds to. Early filters often become edge and stroke detectors; a filter that stays noise has not learned.";
const NOTE_DENSE = "Each image is one unit's 784 weights laid out as the input: blue pixels push the unit up, orange push it down. Noise means the layer has not learned yet (or gets vanishing gradients).";

function tile(title, caption, images, options, note) {
  const canvas = el("canvas", { class: "pixel grid-img", role: "img", "aria-label": title });
  const size = gridSize({ images }, options);
  drawImageGrid(dataCanvas(canvas, size.width, size.height), { images }, options);
  // Scale whole pixels so filters stay crisp; keep big grids within the card.
  canvas.style.width = `${Math.min(440, size.width * 12)}px`;
  return el("figure", { class: "card filter-card", "data-layer": title }, el("figcaption", {}, title, el("small", { text: caption })), canvas, note ? el("p", { class: "learn", text: note }) : null);
}

export function mountFilters({ store, report }) {
  let busy = false;

  async function refresh() {
    const s = store.get();
    if (!s.run || s.tab !== "filters" || busy) return;
    const list = targets(s.run.spec);
    const live = isActive(s.run.status);
    $("filters-hint").textContent = list.length
      ? live ? "Filters refresh while the run trains." : `Run ${s.run.id}: the weights at its last step.`
      : "Nothing to picture here: this view shows conv filters, and a dense layer's weights as 28\u00d728 images when it reads the image directly; this model has neither. For 2-D and 1-D data the Train tab shows what the model learned (decision boundary, fitted curve).";
    if (!list.length) {
      $("filters-list").replaceChildren();
      return;
    }
    if (!hasWeights(s.run)) {
      $("filters-hint").textContent = "No weights yet: the first checkpoint is written within a few seconds of the start.";
      return;
    }
    if (!$("filters-list").children.length) $("filters-hint").textContent = `Loading the filters of run ${s.run.id}\u2026`;
    busy = true;
    try {
      const cards = [];
      for (const t of list) {
        if (t.kind === "conv") {
          const f = await api.filters({ kind: "run", id: s.run.id }, t.index);
          const [kh, kw, c, n] = f.shape;
          cards.push(tile(`Layer ${t.index} \u00b7 conv2d`, ` ${n} filters of ${kh}\u00d7${kw}\u00d7${c}, channels averaged, each scaled to its own range`, f.filters, { colormap: "gray", normalize: "none", gap: 1, cols: Math.min(n, 8) }, t.index === list[0].index ? NOTE_CONV : null));
        } else {
          const w = await api.weights({ kind: "run", id: s.run.id }, t.index, 64);
          if (w.images?.length) {
            cards.push(tile(`Layer ${t.index} \u00b7 dense`, ` weights of ${w.images.length} of ${w.weight_shape[1]} units as 28\u00d728 images (blue +, orange \u2212)`, w.images, { colormap: "diverging", normalize: "each", gap: 2, cols: 8 }, NOTE_DENSE));
          }
        }
      }
      $("filters-list").replaceChildren(...cards);
      $("filters-hint").textContent = live ? "Filters refresh while the run trains." : `Run ${s.run.id}: the weights at its last step.`;
    } catch (err) {
      if (err.status === 409) $("filters-hint").textContent = "No weights yet: the run has not started.";
      else report(err);
    } finally {
      busy = false;
    }
  }
  const later = throttle(refresh, 1500);

  store.subscribe((s, prev) => {
    if (s.run?.id !== prev.run?.id) {
      $("filters-list").replaceChildren();
      $("filters-hint").textContent = s.run ? `Run ${s.run.id}: model ${fmtShape(s.run.spec?.input_shape)} input.` : "Start or open a run to see its filters.";
    }
    if (s.tab !== "filters") return;
    if (s.tab !== prev.tab || s.run?.id !== prev.run?.id || s.run?.status !== prev.run?.status || hasWeights(s.run) !== hasWeights(prev.run)) refresh();
    else if (s.history.lastStep !== prev.history.lastStep) later();
  });
}
