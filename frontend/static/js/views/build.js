/**
 * The Build view: data and training settings, presets, the layer builder with
 * server validation (debounced), the to-scale network drawing and the learn notes.
 */

import { changed, configPatch } from "../state.js";
import { api } from "../api.js";
import { el, fitCanvas, debounce } from "../dom.js";
import { createBuilder } from "../builder.js";
import { buildSpec, errorsByLayer } from "../spec.js";
import { presetsFor, presetSetup, setupFor } from "../presets.js";
import { NOTES, notesForLayers, linearPairs } from "../learn.js";
import { fmtCount, fmtShape } from "../format.js";
import { drawNetwork } from "../render/network.js";
import { mountBias } from "./bias.js";

const $ = (id) => document.getElementById(id);
// Layers drawn as thin strips between blocks: they keep their input's shape.
const THIN_CATEGORIES = ["activation", "regularization"];

// form element id -> [config key, parse]
const FIELDS = {
  "cfg-noise": ["noise", Number],
  "cfg-val": ["val_split", Number],
  "cfg-optimizer": ["optimizer", String],
  "cfg-lr": ["lr", Number],
  "cfg-wd": ["weight_decay", (v) => Math.max(0, Number(v))],
  "cfg-schedule": ["lr_schedule", String],
  "cfg-batch": ["batch_size", (v) => Math.round(Number(v))],
  "cfg-epochs": ["epochs", (v) => Math.round(Number(v))],
  "cfg-steps": ["steps", (v) => Math.round(Number(v) || 0)],
  "cfg-init": ["init", String],
  "cfg-seed": ["seed", (v) => Math.round(Number(v) || 0)],
};

export const datasetInfo = (s) => s.datasets.find((d) => d.name === s.config.dataset) || null;

export function mountBuild({ store, report }) {
  const builder = createBuilder($("layer-list"), {
    onChange: (layers) => store.setState((s) => configPatch(s, { layers })),
  });

  for (const [id, [key, parse]] of Object.entries(FIELDS)) {
    const input = $(id);
    input.addEventListener(input.tagName === "SELECT" ? "change" : "input", () => {
      if (input.value === "" && input.type === "number") return;
      const v = parse(input.value);
      if (typeof v === "number" && !Number.isFinite(v)) return;
      store.setState((s) => configPatch(s, { [key]: v }));
    });
  }

  $("cfg-dataset").addEventListener("change", (e) => {
    const s = store.get();
    const info = s.datasets.find((d) => d.name === e.target.value);
    const prevInfo = datasetInfo(s);
    const patch = { dataset: e.target.value };
    // A new input shape or class count makes the old layers wrong: pick a fitting
    // preset, with a training length for the data's size (one epoch of 450 points fits nothing).
    if (info && (!prevInfo || JSON.stringify(info.input_shape) !== JSON.stringify(prevInfo.input_shape) || info.num_classes !== prevInfo.num_classes)) {
      Object.assign(patch, setupFor(info));
    }
    store.setState((st) => configPatch(st, patch));
  });

  $("cfg-upload").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    try {
      const info = await api.uploadDataset(file);
      const s = store.get();
      store.setState({ datasets: [...s.datasets.filter((d) => d.name !== info.name), info], ...configPatch(s, { dataset: info.name, ...setupFor(info) }) });
    } catch (err) {
      report(err);
    }
    e.target.value = "";
  });

  $("add-btn").addEventListener("click", () => {
    const type = $("add-type").value;
    const s = store.get();
    const layer = { type };
    if (type === "dense") layer.units = 16;
    if (type === "conv2d") layer.filters = 8;
    store.setState(configPatch(s, { layers: [...s.config.layers, layer] }));
  });

  // Validation: debounced, the previous request aborted, so the answer shown is for the latest spec.
  let inflight = null;
  const validate = debounce(async () => {
    const s = store.get();
    if (inflight) inflight.abort();
    inflight = new AbortController();
    const spec = buildSpec(s.config, datasetInfo(s));
    try {
      const rep = await api.validate(spec, inflight.signal, s.config.dataset);
      store.setState({ validation: { report: rep, errors: null, pending: false } });
    } catch (err) {
      if (err.name === "AbortError") return;
      if (err.status === 422) store.setState({ validation: { report: null, errors: errorsByLayer(err.body), pending: false } });
      else {
        store.setState({ validation: { report: null, errors: { layers: {}, general: [err.message] }, pending: false } });
      }
    }
  }, 250);

  const netCanvas = $("net-canvas");
  function drawNet(s) {
    const fit = fitCanvas(netCanvas);
    if (!fit) return;
    const info = datasetInfo(s);
    const rep = s.validation.report;
    const errIdx = Object.keys(s.validation.errors?.layers || {}).map(Number)[0];
    const layers = (rep ? rep.layers : s.config.layers.map((l, i) => ({ ...l, index: i, output_shape: null })))
      .map((l) => ({ ...l, thin: THIN_CATEGORIES.includes(s.catalog[l.type]?.category) }));
    drawNetwork(fit.ctx, { inputShape: info?.input_shape || [28, 28, 1], layers, errorIndex: errIdx }, fit);
  }

  function renderForm(s, prev) {
    const c = s.config;
    if (!prev || changed(s, prev, "datasets")) {
      $("cfg-dataset").replaceChildren(
        ...s.datasets.map((d) =>
          el("option", { value: d.name, disabled: d.available === false, text: `${d.uploaded ? d.description || d.name : d.name}${d.available === false ? " (not available)" : ""}` }),
        ),
      );
    }
    for (const [id, [key]] of Object.entries(FIELDS)) {
      const input = $(id);
      if (document.activeElement !== input && String(input.value) !== String(c[key])) input.value = c[key];
    }
    $("cfg-dataset").value = c.dataset;
    $("out-noise").textContent = Number(c.noise).toFixed(2);
    $("out-val").textContent = `${Math.round(c.val_split * 100)}%`;
    const info = datasetInfo(s);
    document.querySelectorAll("[data-for-kind]").forEach((n) => {
      n.hidden = !n.dataset.forKind.split(" ").includes(info?.kind);
    });
    $("learn-lr").textContent = NOTES.learning_rate.text;
  }

  function renderPresets(s) {
    const info = datasetInfo(s);
    $("presets").replaceChildren(
      ...presetsFor(info).map((p) =>
        el("button", {
          type: "button",
          class: "chip",
          "data-preset": p.name,
          text: p.label,
          title: p.title,
          onclick: () => {
            const st = store.get();
            const preset = presetSetup(p.name, datasetInfo(st), st.config, st.datasets);
            // The chosen input features stay: a preset is about the layers after them.
            const feats = st.config.layers[0]?.type === "features" ? st.config.layers[0] : null;
            if (feats && preset.layers && preset.layers[0]?.type !== "features") preset.layers = [feats, ...preset.layers];
            store.setState(configPatch(st, preset));
          },
        }),
      ),
    );
    // The features layer is set by the Input features checkboxes (first layer only).
    const types = Object.keys(s.catalog).filter((t) => t !== "features");
    $("add-type").replaceChildren(...types.map((t) => el("option", { value: t, text: t, title: s.catalog[t].description || "" })));
  }

  function renderSummary(s) {
    const v = s.validation;
    const out = $("model-summary");
    out.classList.toggle("error", Boolean(v.errors));
    if (v.pending) out.textContent = "Checking\u2026";
    else if (v.report) out.textContent = `${fmtCount(v.report.total_params)} parameters \u00b7 output ${fmtShape(v.report.output_shape)} \u00b7 ${s.config.layers.length} layers`;
    else if (v.errors) {
      const [index, problems] = Object.entries(v.errors.layers)[0] || [];
      out.textContent = v.errors.general.length ? v.errors.general.join("; ") : index !== undefined ? `Layer ${index}: ${problems[0].message}` : "The model has an error: see the highlighted layer.";
    }
    builder.render(s.config.layers, s.catalog, v.report, v.errors);
  }

  // Input features (2-D sets): checkboxes that write the first layer, a `features` layer,
  // which is left out when only x1 and x2 are on (the network then reads the point as is).
  function renderFeatures(s) {
    const params = s.catalog.features?.params || [];
    const box = $("features-list");
    if (!params.length) {
      $("features-box").hidden = true;
      return;
    }
    const first = s.config.layers[0]?.type === "features" ? s.config.layers[0] : {};
    const on = (p) => (p.name in first ? Boolean(first[p.name]) : Boolean(p.default));
    box.replaceChildren(...params.map((p) => el("label", {}, el("input", {
      type: "checkbox",
      checked: on(p),
      "data-feature": p.name,
      onchange: () => {
        const st = store.get();
        const chosen = Object.fromEntries([...box.querySelectorAll("input")].map((i) => [i.dataset.feature, i.checked]));
        const changedOnes = Object.fromEntries(params.filter((q) => chosen[q.name] !== Boolean(q.default)).map((q) => [q.name, chosen[q.name]]));
        const rest = st.config.layers[0]?.type === "features" ? st.config.layers.slice(1) : st.config.layers;
        const layers = Object.keys(changedOnes).length ? [{ type: "features", ...changedOnes }, ...rest] : rest;
        store.setState(configPatch(st, { layers }));
      },
    }), p.description)));
  }

  function renderNotes(s) {
    const keys = notesForLayers(s.config.layers);
    // A warning naming the layers, above the notes: dense after dense with no nonlinearity.
    const pairs = linearPairs(s.config.layers);
    const warn = pairs.length
      ? el("p", { class: "warn", id: "linear-warning" }, el("strong", { text: "No activation between dense layers: " }),
        `${pairs.map(([i, j]) => `layers ${i} and ${j}`).join(", ")} compute one matrix product, so together they are one dense layer. Add a ReLU or tanh between them.`)
      : null;
    $("learn-notes").replaceChildren(
      ...(warn ? [warn] : []),
      ...keys.map((k) => el("details", { class: "note", open: true }, el("summary", { text: NOTES[k].title }), el("p", { text: NOTES[k].text }))),
    );
  }

  store.subscribe((s, prev) => {
    if (changed(s, prev, "config", "datasets")) renderForm(s, prev);
    if (changed(s, prev, "datasets", "catalog") || s.config.dataset !== prev.config.dataset) renderPresets(s);
    if (changed(s, prev, "catalog") || s.config.layers !== prev.config.layers || s.config.dataset !== prev.config.dataset || s.config.init !== prev.config.init) {
      store.setState({ validation: { ...store.get().validation, pending: true } });
      validate();
    }
    if (changed(s, prev, "validation", "catalog")) renderSummary(s);
    if (s.config.layers !== prev.config.layers) renderNotes(s);
    if (s.config.layers !== prev.config.layers || changed(s, prev, "catalog")) renderFeatures(s);
    if (changed(s, prev, "validation") || (s.tab === "build" && prev.tab !== "build")) drawNet(s);
  });
  new ResizeObserver(() => drawNet(store.get())).observe(netCanvas);

  mountBias({ store, datasetInfo });
  const s = store.get();
  renderForm(s, null);
  renderPresets(s);
  renderSummary(s);
  renderNotes(s);
  renderFeatures(s);
  validate();
}
