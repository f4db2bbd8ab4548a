/**
 * The Build view's "Bias the training data" control: pick a class, slide how much
 * of its training data to keep (100% down to 1%); biased classes are listed as
 * chips that undo with a click. Stored in config.class_fractions (the URL's bias=).
 */

import { configPatch } from "../state.js";
import { el } from "../dom.js";
import { NOTES } from "../learn.js";
import { fmtKeep, fractionsFor, withFraction } from "../bias.js";

const $ = (id) => document.getElementById(id);

export function mountBias({ store, datasetInfo }) {
  const select = $("bias-class");
  const slider = $("bias-keep");
  $("learn-bias").textContent = NOTES.bias.text;

  const setFraction = (c, fraction) =>
    store.setState((s) => configPatch(s, { class_fractions: withFraction(s.config.class_fractions, c, fraction) }));

  slider.addEventListener("input", () => {
    const pct = Math.min(100, Math.max(1, Math.round(Number(slider.value))));
    if (!Number.isFinite(pct) || select.value === "") return;
    setFraction(select.value, pct / 100);
  });
  select.addEventListener("change", () => render(store.get()));

  function render(s) {
    const info = datasetInfo(s);
    const n = info?.num_classes || 0;
    $("bias-box").hidden = n < 2;
    if (n < 2) return;
    if (select.options.length !== n) {
      const names = info.class_names || [];
      select.replaceChildren(...Array.from({ length: n }, (_, i) =>
        el("option", { value: String(i), text: names[i] && names[i] !== String(i) ? `${i} ${names[i]}` : String(i) })));
    }
    const fractions = fractionsFor(s.config.class_fractions, info);
    const f = fractions[select.value] ?? 1;
    if (document.activeElement !== slider) slider.value = String(Math.max(1, Math.round(f * 100)));
    $("out-bias").textContent = fmtKeep(f);
    const chips = Object.entries(fractions).map(([c, v]) =>
      el("button", { type: "button", class: "chip", "data-bias-class": c, title: `keep all of class ${c} again`,
        text: `class ${c}: ${fmtKeep(v)} \u00d7`, onclick: () => setFraction(c, 1) }));
    $("bias-list").replaceChildren(...(chips.length ? chips : [el("span", { text: "All classes kept whole." })]));
  }

  store.subscribe((s, prev) => {
    // An opened run brings its own bias into the Build view (as its other settings), so its link reproduces it.
    if (s.run && s.run.id !== prev.run?.id) {
      const theirs = s.run.dataset_params?.class_fractions || {};
      if (JSON.stringify(theirs) !== JSON.stringify(fractionsFor(s.config.class_fractions, datasetInfo(s)))) {
        store.setState((st) => configPatch(st, { class_fractions: { ...theirs } }));
        return;
      }
    }
    if (s.config !== prev.config || s.datasets !== prev.datasets) render(s);
  });
  render(store.get());
}
