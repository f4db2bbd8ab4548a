/**
 * Softmax and cross-entropy lab: logit sliders, the true class and a
 * temperature; the server returns probabilities, the loss -log p[label] and
 * the gradient with respect to the logits, (p - onehot) / T.
 */

import { el, fitCanvas } from "../../dom.js";
import { fmtNum } from "../../format.js";
import { drawSignedBars } from "../../render/signedBars.js";
import { labCaller, bindOutput } from "./request.js";

const $ = (id) => document.getElementById(id);
const START = [2.0, 1.0, 0.1, -1.0];
const CLASSES = START.length;

export function mountSoftmax({ report }) {
  let result = null;
  const sliders = START.map((v, k) => {
    const input = el("input", { type: "range", min: "-6", max: "6", step: "0.1", value: String(v), id: `sm-logit-${k}`, "aria-label": `logit of class ${k}` });
    const out = el("output", {});
    bindOutput(input, out, (x) => Number(x).toFixed(1));
    $("sm-logits").append(el("label", {}, `l${k}`, input, out));
    return input;
  });
  $("sm-label").replaceChildren(...START.map((_, k) => el("option", { value: String(k), text: `class ${k}` })));
  bindOutput($("sm-temp"), $("sm-temp-out"), (v) => (10 ** Number(v)).toFixed(2));

  function draw() {
    if (!result) return;
    const labels = result.logits.map((_, k) => `class ${k}`);
    const fp = fitCanvas($("sm-probs"));
    if (fp) drawSignedBars(fp.ctx, { values: result.probabilities, labels, highlight: result.label, title: "p = softmax(l / T)" }, { ...fp, range: [0, 1] });
    const fg = fitCanvas($("sm-grad"));
    if (fg) drawSignedBars(fg.ctx, { values: result.gradient, labels, highlight: result.label, title: "\u2202L/\u2202l = (p \u2212 onehot) / T" }, { ...fg, range: [-1 / result.temperature, 1 / result.temperature] });
    const p = result.probabilities[result.label];
    $("sm-loss").textContent = `Loss L = \u2212log p[${result.label}] = \u2212log ${fmtNum(p)} = ${fmtNum(result.loss)}. `
      + `Predicted class ${result.prediction}${result.prediction === result.label ? " (right)" : " (wrong)"}; probabilities sum to ${fmtNum(result.probabilities.reduce((a, b) => a + b, 0), 6)}.`;
  }

  const call = labCaller("softmax", {
    report,
    wait: 30,
    onResult: (r) => {
      result = r;
      draw();
    },
  });
  const load = () => call.soon({
    logits: sliders.map((s) => Number(s.value)),
    label: Number($("sm-label").value),
    temperature: Number((10 ** Number($("sm-temp").value)).toFixed(4)),
  });
  for (const s of sliders) s.addEventListener("input", load);
  $("sm-label").addEventListener("change", load);
  $("sm-temp").addEventListener("input", load);
  return { load, draw, classes: CLASSES };
}
