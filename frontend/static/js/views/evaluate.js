/**
 * The Evaluate view: after a run ends, the test-split confusion matrix,
 * per-class accuracy with the largest gap named (as in Gender Shades), one
 * class's false positives at a confidence threshold (the notes' face-matching
 * example), and a gallery of misclassified test images.
 */

import { api } from "../api.js";
import { el, fitCanvas, dataCanvas } from "../dom.js";
import { drawConfusion } from "../render/confusion.js";
import { drawBars } from "../render/bars.js";
import { drawImageGrid } from "../render/imageGrid.js";
import { drawLineChart } from "../render/lineChart.js";
import { COLORS } from "../render/theme.js";
import { atThreshold, curves, mostFalsePositives, readout } from "../thresholds.js";
import { fmtPct, fmtNum } from "../format.js";
import { NOTES } from "../learn.js";
import { trainedTags } from "../bias.js";
import { hasWeights } from "./runControl.js";
import { isTerminal } from "../vocab.js";

const $ = (id) => document.getElementById(id);

/** Test samples off the diagonal of the confusion matrix (rows: true class). */
export function misclassifiedCount(confusion) {
  let wrong = 0;
  (confusion || []).forEach((row, i) => row.forEach((n, j) => {
    if (i !== j) wrong += n;
  }));
  return wrong;
}

export function mountEval({ store, report }) {
  $("learn-gap").textContent = NOTES.gap.text;
  $("learn-fp").textContent = NOTES.false_positives.text;
  let fpFor = null; // the evaluation the class choice was made for

  function drawFalsePositives(ev) {
    const table = ev.thresholds;
    const pick = $("fp-class");
    const slider = $("fp-threshold");
    if (fpFor !== ev) {
      // A new evaluation: its classes, the one with the most false positives chosen.
      fpFor = ev;
      pick.replaceChildren(...table.positives.map((_, c) => el("option", { value: String(c), text: `class ${c}` })));
      pick.value = String(mostFalsePositives(table));
      slider.max = String(table.thresholds.length - 1);
      slider.value = "0";
    }
    const c = Number(pick.value);
    const i = Number(slider.value);
    const r = atThreshold(table, c, i);
    $("fp-threshold-out").textContent = String(r.threshold);
    $("fp-text").textContent = readout(table, c, i);
    const f = fitCanvas($("chart-fp"));
    if (!f) return;
    const lines = curves(table, c);
    drawLineChart(f.ctx, {
      series: [
        { label: `others called ${c} (false positives)`, color: COLORS.bad, points: lines.falsePositives, value: r.fp },
        { label: `real ${c}s missed`, color: COLORS.series[0], points: lines.missed, value: r.missed },
      ],
    }, { ...f, yMin: 0, fractionalX: true, xMin: 0, xLabel: "confidence threshold; the lines count test images",
      marks: [{ x: r.threshold, label: `\u2265 ${r.threshold}` }] });
  }
  $("fp-class").addEventListener("change", () => store.get().evaluation && drawFalsePositives(store.get().evaluation));
  $("fp-threshold").addEventListener("input", () => store.get().evaluation && drawFalsePositives(store.get().evaluation));

  function draw(s) {
    const ev = s.evaluation;
    $("eval-body").hidden = !ev;
    if (!ev) return;
    $("eval-hint").textContent = `Test accuracy ${fmtPct(ev.accuracy)} \u00b7 loss ${ev.loss.toFixed(4)} \u00b7 run ${s.run?.id || ""}`;
    const fc = fitCanvas($("chart-confusion"));
    if (fc) drawConfusion(fc.ctx, { matrix: ev.confusion }, fc);
    const gap = ev.largest_gap;
    const fb = fitCanvas($("chart-perclass"));
    const tags = trainedTags(s.run);
    if (fb) drawBars(fb.ctx, { values: ev.per_class_accuracy, best: gap?.best, worst: gap?.worst, tags }, { ...fb, max: 1, format: (v) => fmtPct(v) });
    const biased = Object.entries(tags).map(([c, t]) => `class ${c} ${t}`);
    $("gap-text").textContent = (gap
      ? `Largest gap: ${fmtPct(gap.gap)} between class ${gap.best} (${fmtPct(ev.per_class_accuracy[gap.best])}) and class ${gap.worst} (${fmtPct(ev.per_class_accuracy[gap.worst])}).`
      : "") + (biased.length ? ` Under-represented in training: ${biased.join(", ")} of its samples.` : "");
    drawFalsePositives(ev);
    const mis = (ev.misclassified || []).filter((m) => Array.isArray(m.image) && Array.isArray(m.image[0]));
    // The server sends at most a gallery's worth of examples; the count comes from the confusion matrix.
    const wrong = misclassifiedCount(ev.confusion);
    const images = mis.length > 0;
    $("mis-count").textContent = !wrong
      ? "none"
      : !images ? `${wrong} misclassified points: see the decision boundary on the Train tab`
        : mis.length < wrong ? `first ${mis.length} of ${wrong} shown` : `all ${wrong} shown`;
    $("mis-gallery").replaceChildren(
      ...mis.map((m) => {
        const c = el("canvas", { class: "pixel thumb", role: "img", "aria-label": `test image ${m.index}: label ${m.label}, predicted ${m.prediction}` });
        drawImageGrid(dataCanvas(c, m.image[0].length, m.image.length), { images: [m.image] }, { colormap: "ink", normalize: "none", gap: 0, cols: 1 });
        return el("figure", { class: "thumb-fig" }, c, el("figcaption", {}, el("span", { class: "bad", text: `${m.prediction}` }), ` (true ${m.label})`));
      }),
    );
  }

  async function load() {
    const s = store.get();
    const run = s.run;
    if (!run) return;
    $("eval-hint").textContent = `Loading the evaluation of run ${run.id} on the test split\u2026`;
    if (s.datasets.find((d) => d.name === run.dataset)?.num_classes === 0) {
      const loss = run.final?.test?.loss;
      $("eval-hint").textContent = `This run is a regression: there are no classes to confuse.${Number.isFinite(loss) ? ` Test loss (mean squared error) ${fmtNum(loss)}.` : ""} The fitted curve is on the Train tab.`;
      return;
    }
    try {
      const evaluation = await api.evaluation(run.id);
      store.setState({ evaluation });
    } catch (err) {
      // 409: nothing to evaluate (stopped before its first step, or diverged): say so.
      if (err.status === 409) $("eval-hint").textContent = `No evaluation: run ${run.id} (${run.status}) has no usable weights.`;
      else report(err);
    }
  }

  store.subscribe((s, prev) => {
    const ended = s.run && isTerminal(s.run.status) && hasWeights(s.run);
    const becameEnded = ended && (!prev.run || prev.run.id !== s.run.id || !isTerminal(prev.run.status));
    // Another run (or none): the previous run's words go before anything loads.
    if (s.run?.id !== prev.run?.id && !ended) $("eval-hint").textContent = "Evaluation on the test split appears when a run finishes.";
    if (becameEnded || (ended && !s.evaluation && s.tab === "eval" && prev.tab !== "eval")) load();
    if (s.evaluation !== prev.evaluation || (s.tab === "eval" && prev.tab !== "eval")) draw(s);
  });
  new ResizeObserver(() => store.get().tab === "eval" && draw(store.get())).observe($("view-eval"));
}
