/**
 * The Draw view: a drawing pad whose prediction updates while you draw, the
 * 28x28 image the model saw, and for the drawn digit the feature maps of every
 * conv layer, the activations of every dense layer and the top filters.
 * "Move the digit" shifts, turns and scales the drawing on the server and shows
 * the transformed input's prediction beside the original's, with a sweep of
 * the predicted class's confidence over sideways shifts (translation invariance).
 * Works with the open run, any finished run and imported models.
 */

import { api } from "../api.js";
import { el, fitCanvas, dataCanvas, throttle, debounce } from "../dom.js";
import { createPad } from "../pad.js";
import { drawBars } from "../render/bars.js";
import { drawSweep } from "../render/sweep.js";
import { gridSize, drawImageGrid } from "../render/imageGrid.js";
import { fmtPct, fmtShape, fmtNum } from "../format.js";

const $ = (id) => document.getElementById(id);
const WITH_WEIGHTS = new Set(["running", "paused", "finished", "stopped", "interrupted"]);
// The pad makes 28x28 images: only models with that input can read them.
const takesDigits = (spec) => Array.isArray(spec?.input_shape) && spec.input_shape[0] === 28 && spec.input_shape[1] === 28;

function pixelCanvas(images, options, label, maxWidth = 300, perPixel = 12) {
  const c = el("canvas", { class: "pixel", role: "img", "aria-label": label });
  const size = gridSize({ images }, options);
  drawImageGrid(dataCanvas(c, size.width, size.height), { images }, options);
  c.style.width = `${Math.min(maxWidth, size.width * perPixel)}px`;
  return c;
}

const SWEEP = [-6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6];
const MAX_SHIFT = 10;
const IDENTITY = { dx: 0, dy: 0, rotate: 0, scale: 1 };

/** The controls' transform as the predict request's `transform` object. */
const asRequest = (tf) => ({ shift: [tf.dx, tf.dy], rotate: tf.rotate, scale: tf.scale });

function drawSeen(canvas, image) {
  if (Array.isArray(image) && Array.isArray(image[0])) {
    drawImageGrid(dataCanvas(canvas, image[0].length, image.length), { images: [image] }, { colormap: "gray", normalize: "none", gap: 0, cols: 1 });
  } else dataCanvas(canvas, 28, 28).clearRect(0, 0, 28, 28);
}

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

/** What the shift sweep shows, in words: the shifts at which the answer stays `cls`. */
export function sweepSummary(shifts, rows, cls) {
  const argmax = (row) => row.indexOf(Math.max(...row));
  const kept = shifts.filter((_, i) => argmax(rows[i]) === cls);
  const conf = rows.map((row) => row[cls]);
  const changed = shifts.map((dx, i) => [dx, argmax(rows[i])]).filter(([, k]) => k !== cls);
  const sign = (dx) => (dx > 0 ? `+${dx}` : `${dx}`);
  const nearest = changed.sort((a, b) => Math.abs(a[0]) - Math.abs(b[0]))[0];
  return `The answer stays \u201c${cls}\u201d at ${kept.length} of ${shifts.length} shifts`
    + (nearest ? `; the smallest shift that changes it is ${sign(nearest[0])} px (to \u201c${nearest[1]}\u201d)` : "")
    + `. Confidence in \u201c${cls}\u201d ranges from ${fmtPct(Math.min(...conf))} to ${fmtPct(Math.max(...conf))}.`;
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
        invariance();
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
        if (invController) invController.abort();
        moved = null;
        store.setState({ prediction: null, activations: null });
      } else if (kind === "draw") live();
      else setTimeout(() => predict(true), 220); // after the last throttled predict
    },
  });
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

  // --- Move the digit ---------------------------------------------------------
  let tf = { ...IDENTITY };
  let moved = null; // {probabilities, prediction, input, sweep, tf}
  let invController = null;

  async function invariance() {
    const t = target();
    if (!t || pad.isEmpty()) {
      moved = null;
      renderInvariance(store.get());
      return;
    }
    if (invController) invController.abort();
    invController = new AbortController();
    const asked = { ...tf };
    const askedFor = drawing;
    // One call: the current transform first, then the sideways sweep of the drawing as is.
    const transforms = [asRequest(asked), ...SWEEP.map((dx) => ({ shift: [dx, 0] }))];
    const other = compareTarget();
    const signal = invController.signal;
    try {
      const blob = await pad.toBlob();
      const hasConv = (targetSpec(t)?.layers || []).some((l) => l.type === "conv2d");
      const [p, q, act] = await Promise.all([
        api.predictImage(t, blob, signal, transforms),
        other ? api.predictImage(other, blob, signal, transforms.slice(1)) : null,
        // the transformed digit's feature maps, beside the drawing's (equivariance)
        hasConv ? api.activationsImage(t, blob, signal, asRequest(asked)) : null,
      ]);
      if (!p) return;
      const probs = p.probabilities;
      moved = {
        probabilities: probs[0], prediction: p.predictions[0], input: p.input, sweep: probs.slice(1), tf: asked, drawing: askedFor,
        compare: q ? { sweep: q.probabilities, predictions: q.predictions, label: $("inv-compare").selectedOptions[0]?.text || "" } : null,
        act,
      };
      renderInvariance(store.get());
    } catch (err) {
      if (err.name !== "AbortError") report(err);
    }
  }
  const invarianceSoon = debounce(invariance, 120);

  function setTf(patch) {
    tf = { ...tf, ...patch };
    tf.dx = Math.max(-MAX_SHIFT, Math.min(MAX_SHIFT, tf.dx));
    tf.dy = Math.max(-MAX_SHIFT, Math.min(MAX_SHIFT, tf.dy));
    $("inv-shift").textContent = `shift ${tf.dx}, ${tf.dy} px (right, down)`;
    $("inv-rotate").value = String(tf.rotate);
    $("inv-scale").value = String(tf.scale);
    $("inv-rotate-out").textContent = `${tf.rotate}\u00b0`;
    $("inv-scale-out").textContent = `${Number(tf.scale).toFixed(2)}\u00d7`;
    invarianceSoon();
  }
  for (const [id, dx, dy] of [["inv-left", -1, 0], ["inv-right", 1, 0], ["inv-up", 0, -1], ["inv-down", 0, 1]]) {
    $(id).addEventListener("click", () => setTf({ dx: tf.dx + dx, dy: tf.dy + dy }));
  }
  $("inv-rotate").addEventListener("input", (e) => setTf({ rotate: Number(e.target.value) }));
  $("inv-scale").addEventListener("input", (e) => setTf({ scale: Number(e.target.value) }));
  $("inv-reset").addEventListener("click", () => setTf({ ...IDENTITY }));
  $("inv-compare").addEventListener("change", () => invarianceSoon());

  function renderInvariance(s) {
    const p = s.prediction;
    drawSeen($("inv-original"), p?.input);
    $("inv-original-cap").textContent = p ? `as drawn: ${p.prediction} (${fmtPct(p.probabilities[p.prediction])})` : "as drawn";
    // An answer for an earlier drawing (the first stroke of a two-stroke digit) is not shown.
    const m = p && moved?.drawing === drawing ? moved : null;
    drawSeen($("inv-moved"), m?.input);
    // What the model saw, for tests and curious readers.
    $("inv-moved").dataset.shift = m ? `${m.tf.dx},${m.tf.dy}` : "";
    const cap = $("inv-moved-cap");
    cap.textContent = m ? `transformed: ${m.prediction} (${fmtPct(m.probabilities[m.prediction])})` : "transformed";
    cap.classList.toggle("bad", Boolean(m && p && m.prediction !== p.prediction));
    const cls = p ? p.prediction : null;
    $("inv-sweep-class").textContent = cls === null ? "the predicted class" : `\u201c${cls}\u201d`;
    $("inv-readout").textContent = m && cls !== null ? sweepSummary(SWEEP, m.sweep, cls) : "";
    // The second model keeps its own answer for the drawing as is (shift 0).
    const c = m?.compare;
    const cCls = c ? c.predictions[SWEEP.indexOf(0)] : null;
    if (c) $("inv-readout").textContent += ` ${c.label}: ${sweepSummary(SWEEP, c.sweep, cCls)}`;
    const f = fitCanvas($("inv-sweep"));
    if (f) {
      const values = m && cls !== null ? m.sweep.map((row) => row[cls]) : [];
      const compare = c ? { values: c.sweep.map((row) => row[cCls]), label: `${c.label}: \u201c${cCls}\u201d`, mainLabel: `${$("draw-target").selectedOptions[0]?.text || ""}: \u201c${cls}\u201d` } : null;
      drawSweep(f.ctx, { shifts: SWEEP, values, current: m && m.tf.dy === 0 ? m.tf.dx : null, compare }, f);
      $("inv-sweep").dataset.series = String(compare ? 2 : values.length ? 1 : 0);
    }
    renderMaps(s, m);
  }

  // The first conv layer's feature maps for the drawing and for the transformed digit.
  function renderMaps(s, m) {
    const box = $("inv-maps");
    const conv = (act) => (act?.layers || []).find((l) => l.type === "conv2d" && l.maps);
    const a = conv(s.activations);
    const b = conv(m?.act);
    box.hidden = !(a && b);
    if (box.hidden) return;
    const cols = a.maps.length <= 8 ? 4 : 8;
    const opts = { colormap: "gray", normalize: "global", gap: 1, cols };
    $("inv-maps-title").textContent = `Feature maps of layer ${a.index} (conv2d)`;
    $("inv-maps-original").replaceChildren(pixelCanvas(a.maps, opts, `feature maps of the drawing, layer ${a.index}`, 300));
    $("inv-maps-moved").replaceChildren(pixelCanvas(b.maps, opts, `feature maps of the transformed digit, layer ${a.index}`, 300));
    $("inv-maps-moved-cap").textContent = `shifted ${m.tf.dx}, ${m.tf.dy} px${m.tf.rotate ? `, turned ${m.tf.rotate}\u00b0` : ""}${m.tf.scale !== 1 ? `, scaled ${m.tf.scale}\u00d7` : ""}`;
    $("inv-maps").dataset.shift = `${m.tf.dx},${m.tf.dy}`;
  }

  // The spec of a run or imported model, to know whether it has conv layers.
  function targetSpec(t) {
    const s = store.get();
    if (!t) return null;
    if (t.kind === "model") return s.models.find((mm) => mm.id === t.id)?.spec || null;
    return (s.run?.id === t.id ? s.run : s.runs.find((r) => r.id === t.id))?.spec || null;
  }
  const compareTarget = () => {
    const [kind, id] = $("inv-compare").value.split(":");
    return id ? { kind, id } : null;
  };

  function renderTargets(s) {
    const runs = s.runs.filter((r) => WITH_WEIGHTS.has(r.status) && takesDigits(r.spec));
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
      renderInvariance(s);
    }
    if (s.activations !== prev.activations) renderActivations(s);
    if (s.tab === "draw" && prev.tab !== "draw" && !s.runs.length) api.runs().then((runs) => store.setState({ runs })).catch(report);
  });
  api.models().then((models) => store.setState({ models })).catch(() => {});
  renderTargets(store.get());
}
