/**
 * The Draw view: a drawing pad whose prediction updates while you draw, the
 * 28x28 image the model saw, and for the drawn digit the feature maps of every
 * conv layer, the activations of every dense layer and the top filters.
 * "Move the digit" (invariance.js) shifts, turns and scales the drawing.
 * Works with the open run, any finished run and imported models.
 */

import { api } from "../api.js";
import { el, fitCanvas, dataCanvas, throttle } from "../dom.js";
import { createPad } from "../pad.js";
import { drawBars } from "../render/bars.js";
import { drawImageGrid } from "../render/imageGrid.js";
import { fmtPct, fmtShape, fmtNum } from "../format.js";
import { pixelCanvas } from "./pixels.js";
import { mountInvariance } from "./invariance.js";
import { isActive } from "../vocab.js";

const $ = (id) => document.getElementById(id);
// Runs whose weights the pad can read: training (past the queue), or ended well.
const withWeights = (status) => (isActive(status) ? status !== "queued" : !["failed", "diverged"].includes(status));
// The pad makes 28x28 images: only models with that input can read them.
const takesDigits = (spec) => Array.isArray(spec?.input_shape) && spec.input_shape[0] === 28 && spec.input_shape[1] === 28;

/** A vector of n activations as rows of at most 32 cells. */
function vectorImage(values) {
  const cols = Math.min(values.length, 32);
  const rows = [];
  for (let i = 0; i < values.length; i += cols) {
    const row = values.slice(i, i + cols);
    while (row.length < cols) row.push(0);
    rows.push(row);
  }
  return rows;
}

export function mountDraw({ store, report }) {
  // What the select shows is what predicts: a 2-D run may be the open run (state.target)
  // but is not offered here, so the select, not the state, decides.
  const target = () => {
    const [kind, id] = $("draw-target").value.split(":");
    return id ? { kind, id } : null;
  };
  let controller = null;
  let filterCache = new Map(); // "runId:layer" -> filters response

  async function predict(full) {
    const t = target();
    if (!t) {
      $("pred-label").textContent = "";
      report(new Error("Choose a model first: train one on 28\u00d728 images (MNIST), open a finished run, or import a model."));
      return;
    }
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const blob = await pad.toBlob();
      if (full) {
        const act = await api.activationsImage(t, blob, controller.signal);
        if (!act) return;
        store.setState({ prediction: { probabilities: act.probabilities, input: act.input, prediction: act.prediction }, activations: act });
        inv.run();
      } else {
        const p = await api.predictImage(t, blob, controller.signal);
        if (!p) return;
        store.setState({ prediction: { probabilities: p.probabilities[0], input: p.input, prediction: p.predictions[0] } });
      }
    } catch (err) {
      if (err.name !== "AbortError") report(err);
    }
  }
  const live = throttle(() => predict(false), 200);

  // Every change of the drawing gets a number; an answer is shown only for the drawing it was asked about.
  let drawing = 0;
  const pad = createPad($("pad"), {
    onChange: (kind) => {
      drawing += 1;
      if (kind === "clear") {
        if (controller) controller.abort();
        inv.clear();
        store.setState({ prediction: null, activations: null });
      } else if (kind === "draw") live();
      else setTimeout(() => predict(true), 220); // after the last throttled predict
    },
  });
  const inv = mountInvariance({ store, report, pad, target, drawingId: () => drawing });
  $("pad-clear").addEventListener("click", () => pad.clear());
  $("pad-undo").addEventListener("click", () => pad.undo());
  $("pad").addEventListener("keydown", (e) => {
    if (e.key === "Delete" || e.key === "Backspace") pad.clear();
    if ((e.ctrlKey || e.metaKey) && e.key === "z") pad.undo();
  });

  $("draw-target").addEventListener("change", (e) => {
    const [kind, id] = e.target.value.split(":");
    store.setState({ target: id ? { kind, id } : null, prediction: null, activations: null });
    if (!pad.isEmpty()) predict(true);
  });

  $("model-import").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      const model = await api.importModel(file);
      store.setState((s) => ({ models: [...s.models.filter((m) => m.id !== model.id), model], target: { kind: "model", id: model.id } }));
    } catch (err) {
      report(err);
    }
    e.target.value = "";
  });

  function renderTargets(s) {
    const runs = s.runs.filter((r) => withWeights(r.status) && takesDigits(r.spec));
    if (s.run && takesDigits(s.run.spec) && !runs.some((r) => r.id === s.run.id)) runs.unshift(s.run);
    const opts = [el("option", { value: "", text: "\u2014 choose a model \u2014" })];
    for (const r of runs) opts.push(el("option", { value: `run:${r.id}`, text: `run ${r.name || r.id} (${r.dataset}, ${r.status})` }));
    for (const m of s.models.filter((mm) => takesDigits(mm.spec))) opts.push(el("option", { value: `model:${m.id}`, text: `imported ${m.name || m.id}` }));
    const sel = $("draw-target");
    // The compare list: the same models under another placeholder, its choice kept when still there.
    const cmp = $("inv-compare");
    const keep = cmp.value;
    cmp.replaceChildren(el("option", { value: "", text: "\u2014 no second model \u2014" }), ...opts.slice(1).map((o) => o.cloneNode(true)));
    cmp.value = [...cmp.options].some((o) => o.value === keep) ? keep : "";
    sel.replaceChildren(...opts);
    sel.value = s.target ? `${s.target.kind}:${s.target.id}` : "";
    // The open run may not read digits (a 2-D run): show the placeholder, not a blank select.
    if (sel.selectedIndex < 0) sel.value = "";
  }

  function renderPrediction(s) {
    const p = s.prediction;
    const f = fitCanvas($("pred-bars"));
    if (f) {
      f.ctx.clearRect(0, 0, f.width, f.height);
      drawBars(f.ctx, { values: p ? p.probabilities : [], highlight: p?.prediction }, { ...f, max: 1, format: (v) => fmtPct(v), empty: "Draw a digit on the pad: the class probabilities appear here" });
    }
    $("pred-label").textContent = p ? `${p.prediction} (${fmtPct(p.probabilities[p.prediction])})` : "";
    const seen = $("pred-input");
    if (p && Array.isArray(p.input) && Array.isArray(p.input[0])) {
      drawImageGrid(dataCanvas(seen, p.input[0].length, p.input.length), { images: [p.input] }, { colormap: "gray", normalize: "none", gap: 0, cols: 1 });
    } else dataCanvas(seen, 28, 28).clearRect(0, 0, 28, 28);
  }

  async function filtersFor(t, index) {
    // A run's filters change while it trains (key by step); a model's never do.
    const key = `${t.kind}:${t.id}:${index}:${t.kind === "run" ? store.get().history.lastStep : 0}`;
    if (!filterCache.has(key)) {
      if (filterCache.size > 20) filterCache = new Map();
      filterCache.set(key, api.filters(t, index).catch(() => null));
    }
    return filterCache.get(key);
  }

  async function renderActivations(s) {
    const act = s.activations;
    const box = $("activations");
    if (!act) {
      box.replaceChildren(el("p", { class: "hint", text: "Draw to see feature maps and activations." }));
      return;
    }
    const t = target();
    const cards = [];
    // flatten and dropout repeat the previous layer's numbers: skip them
    for (const layer of (act.layers || []).filter((l) => l.type !== "flatten" && l.type !== "dropout")) {
      const head = el("h3", {}, `Layer ${layer.index} \u00b7 ${layer.type} `, el("small", { text: fmtShape(layer.shape) }));
      const top = layer.top || [];
      if (layer.maps) {
        const cols = layer.maps.length <= 8 ? 4 : 8;
        const body = [pixelCanvas(layer.maps, { colormap: "gray", normalize: "global", gap: 1, cols }, `feature maps of layer ${layer.index}`, 320)];
        if (layer.type === "conv2d" && top.length) {
          const filters = await filtersFor(t, layer.index);
          body.push(
            el(
              "div",
              { class: "top-filters" },
              el("span", { class: "label", text: "top filters" }),
              top.slice(0, 4).map((tp) =>
                el(
                  "figure",
                  { class: "top" },
                  filters ? pixelCanvas([filters.filters[tp.channel]], { colormap: "gray", normalize: "none", gap: 0, cols: 1 }, `filter ${tp.channel}`, 40) : null,
                  pixelCanvas([layer.maps[tp.channel]], { colormap: "gray", normalize: "each", gap: 0, cols: 1 }, `map ${tp.channel}`, 56),
                  el("figcaption", { text: `#${tp.channel} ${fmtNum(tp.score, 2)}` }),
                ),
              ),
            ),
          );
        }
        cards.push(el("div", { class: "act-layer" }, head, body));
      } else if (layer.values) {
        const topText = top.length ? `top units: ${top.slice(0, 5).map((tp) => `#${tp.channel} (${fmtNum(tp.score, 2)})`).join(", ")}` : "";
        cards.push(
          el(
            "div",
            { class: "act-layer" },
            head,
            pixelCanvas([vectorImage(layer.values)], { colormap: "diverging", normalize: "each", gap: 0, cols: 1 }, `activations of layer ${layer.index}`, 320, 28),
            el("p", { class: "small", text: topText }),
          ),
        );
      }
    }
    if (store.get().activations === act) box.replaceChildren(...cards);
  }

  store.subscribe((s, prev) => {
    if (s.runs !== prev.runs || s.models !== prev.models || s.target !== prev.target || s.run?.id !== prev.run?.id || s.run?.status !== prev.run?.status) renderTargets(s);
    if (s.prediction !== prev.prediction || (s.tab === "draw" && prev.tab !== "draw")) {
      renderPrediction(s);
      inv.render(s);
    }
    if (s.activations !== prev.activations) renderActivations(s);
    if (s.tab === "draw" && prev.tab !== "draw" && !s.runs.length) api.runs().then((runs) => store.setState({ runs })).catch(report);
  });
  api.models().then((models) => store.setState({ models })).catch(() => {});
  renderTargets(store.get());
}
