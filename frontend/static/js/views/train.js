/**
 * The Train view: loss and accuracy curves, gradient norms per layer (log),
 * dead-ReLU fractions, weight histograms over time, for 2-D datasets the
 * decision boundary and for 1-D datasets the fitted curve, redrawn while the
 * run goes. Snapshot charts combine the run's stored snapshot history (loaded
 * when a run is opened and when it ends) with the snapshots streamed live.
 */

import { changed } from "../state.js";
import { api } from "../api.js";
import { el, fitCanvas, dataCanvas, throttle } from "../dom.js";
import { curveSeries, histogramsByLayer, mergeSnapshots, lrChanges } from "../history.js";
import { fmtNum } from "../format.js";
import { drawLineChart } from "../render/lineChart.js";
import { drawRidgeline } from "../render/ridgeline.js";
import { drawDecisionGrid, drawPoints } from "../render/decisionMap.js";
import { drawFitCurve } from "../render/fitCurve.js";
import { COLORS } from "../render/theme.js";
import { hasWeights } from "./runControl.js";
import { isTerminal } from "../vocab.js";
import { mountNeurons } from "./neurons.js";
import { NOTES } from "../learn.js";

const $ = (id) => document.getElementById(id);

function layerSeries(map, types) {
  return Object.entries(map).map(([idx, points], i) => ({
    label: `${idx} ${types[idx] || ""}`.trim(),
    color: COLORS.series[i % COLORS.series.length],
    points,
  }));
}

// The kind ("image" | "2d" | "1d" | ...) of the open run's dataset, else of the configured one.
const datasetKind = (s, runOnly = false) => s.datasets.find((d) => d.name === (runOnly ? s.run?.dataset : s.run?.dataset || s.config.dataset))?.kind;

const NO_SNAPSHOTS = "No snapshots were stored for this run";

export function mountTrain({ store, report }) {
  const charts = {
    loss: $("chart-loss"),
    acc: $("chart-acc"),
    grad: $("chart-grad"),
    dead: $("chart-dead"),
    hist: $("chart-hist"),
  };
  let grid = null;
  let fit = null;
  $("learn-overfit").textContent = NOTES.overfit.text;

  // Where the learning rate was changed by hand and where the run was paused.
  function marksOf(s) {
    const h = s.history;
    const lr = lrChanges(h, s.run?.config?.lr_schedule).map(([step, v]) => ({ x: step, label: `lr ${fmtNum(v)}`, color: COLORS.good }));
    return [...lr, ...h.pauses.map((step) => ({ x: step, label: "paused", color: COLORS.muted }))];
  }

  function drawCurves(s) {
    const h = s.history;
    const marks = marksOf(s);
    charts.loss.dataset.marks = String(marks.length);
    const loss = curveSeries(h, "loss");
    const acc = curveSeries(h, "accuracy");
    // Point counts on the element let tests (and curious readers) see what was drawn.
    charts.loss.dataset.points = String(loss.train.length);
    const fl = fitCanvas(charts.loss);
    if (fl) drawLineChart(fl.ctx, { series: [{ label: "train", color: COLORS.train, points: loss.train }, { label: "val", color: COLORS.val, points: loss.val, width: 2.2, markers: true }] }, { ...fl, yMin: 0, xLabel: "step", marks });
    const fa = fitCanvas(charts.acc);
    const regression = s.datasets.find((d) => d.name === (s.run?.dataset || s.config.dataset))?.num_classes === 0;
    if (fa) drawLineChart(fa.ctx, { series: [{ label: "train", color: COLORS.train, points: acc.train }, { label: "val", color: COLORS.val, points: acc.val, width: 2.2, markers: true }] }, { ...fa, yMin: 0, yMax: 1, xLabel: "step", marks, empty: regression ? "No accuracy for a regression: watch the loss" : undefined });
    // A finished run's snapshots come from its stored history (loadSnapshots).
    const ended = s.run && isTerminal(s.run.status);
    const noSnap = ended ? NO_SNAPSHOTS : "Gradient norms arrive with snapshots";
    const gradSeries = layerSeries(h.gradNorms, h.layerTypes);
    charts.grad.dataset.points = String(Math.max(0, ...gradSeries.map((g) => g.points.length)));
    const fg = fitCanvas(charts.grad);
    if (fg) drawLineChart(fg.ctx, { series: gradSeries }, { ...fg, yLog: true, xLabel: "step", empty: noSnap });
    const fd = fitCanvas(charts.dead);
    // Before the first snapshot an empty chart says nothing about the model's ReLUs yet.
    const layers = s.run?.spec?.layers || s.config.layers || [];
    const hasRelu = layers.some((l) => l.type === "relu" || l.activation === "relu");
    const deadEmpty = !h.snapshots.length && (ended || hasRelu) ? (ended ? noSnap : "Dead-unit fractions arrive with snapshots") : "No ReLU layer in this model";
    if (fd) drawLineChart(fd.ctx, { series: layerSeries(h.dead, h.layerTypes) }, { ...fd, yMin: 0, yMax: 1, xLabel: "step", empty: deadEmpty });
  }

  function drawHist(s) {
    const byLayer = histogramsByLayer(s.history);
    const sel = $("hist-layer");
    const keys = Object.keys(byLayer);
    sel.parentElement.hidden = keys.length === 0;
    if (sel.options.length !== keys.length) {
      const keep = sel.value;
      sel.replaceChildren(...keys.map((k) => el("option", { value: k, text: `${k} ${s.history.layerTypes[k] || ""}` })));
      if (keys.includes(keep)) sel.value = keep;
    }
    charts.hist.dataset.snapshots = String((byLayer[sel.value] || []).length);
    const f = fitCanvas(charts.hist);
    if (f) drawRidgeline(f.ctx, { hists: byLayer[sel.value] || [] }, { ...f, max: 10, empty: s.run && isTerminal(s.run.status) ? NO_SNAPSHOTS : "No snapshot yet" });
  }

  // The boundary from the freshest weights: a snapshot's grid (streamed with the
  // weights of that very step) when it is newer than the one fetched from the checkpoint.
  function boundaryGrid(s) {
    const live = s.history.units?.decision;
    if (live && grid && live.x_range[0] === grid.x_range[0] && s.history.units.step >= (grid.step ?? -1)) {
      return { ...grid, probabilities: live.probabilities, step: s.history.units.step };
    }
    // Before the first checkpoint (slow motion from step 0) the snapshot's map alone; the points follow.
    if (live && !grid) return { ...live, step: s.history.units.step };
    return grid;
  }

  function drawBoundary(s) {
    const is2d = s.datasets.find((d) => d.name === (s.run?.dataset || s.config.dataset))?.kind === "2d";
    $("boundary-card").hidden = !is2d;
    $("boundary-card").parentElement.classList.toggle("is-2d", is2d);
    const g = boundaryGrid(s);
    if (!g || !is2d) return;
    const res = g.probabilities.length;
    drawDecisionGrid(dataCanvas($("boundary-grid"), g.probabilities[0].length, res), g);
    $("boundary-grid").dataset.step = String(g.step ?? "");
    $("boundary-grid").dataset.resolution = String(res);
    const f = fitCanvas($("boundary-points"));
    if (f) drawPoints(f.ctx, g, { ...f, showTest: $("show-test").checked });
  }

  const neurons = mountNeurons({ store, report, boundaryGrid });

  function drawFit(s) {
    const is1d = datasetKind(s) === "1d";
    $("fit-card").hidden = !is1d;
    $("fit-card").parentElement.classList.toggle("is-1d", is1d);
    const canvas = $("fit-chart");
    if (!is1d || !fit || fit.runId !== s.run?.id) {
      const f = fitCanvas(canvas);
      // A diverged or failed run keeps no usable weights: say so rather than leave the card blank.
      const broken = s.run && (s.run.status === "diverged" || s.run.status === "failed");
      if (f) drawLineChart(f.ctx, { series: [] }, { ...f, empty: broken ? `No curve to draw: the run ${s.run.status} (see the status line)` : s.run ? "Waiting for the model\u2026" : "Start a run to see the fitted curve" });
      canvas.dataset.points = "0";
      return;
    }
    const f = fitCanvas(canvas);
    // What was drawn, for tests and curious readers: curve points and the step of the weights.
    canvas.dataset.points = String(fit.curve.x.length);
    canvas.dataset.step = String(fit.step);
    if (f) drawFitCurve(f.ctx, fit, { ...f, showTest: $("fit-show-test").checked });
  }

  // The curve is the model's output on an x grid, from the latest weights (at most every 700 ms).
  const fetchFit = throttle(async () => {
    const s = store.get();
    if (!s.run) return;
    const runId = s.run.id;
    const step = s.history.lastStep;
    try {
      const body = await api.decisionGrid(runId, 200);
      if (body.kind !== "curve" || store.get().run?.id !== runId) return;
      fit = { ...body, runId, step };
      drawFit(store.get());
    } catch (err) {
      if (err.status !== 409) report(err);
    }
  }, 700);

  // The stored snapshot history of a run, merged into what streamed live.
  async function loadSnapshots(runId) {
    try {
      const page = await api.metrics(runId, "snapshot", 500);
      store.setState((st) => (st.run?.id === runId ? { history: mergeSnapshots(st.history, page.points || []) } : null));
    } catch (err) {
      if (err.status !== 404) report(err);
    }
  }

  // The grid is computed by the server from the latest weights; ask at most every 700 ms.
  const fetchGrid = throttle(async () => {
    const s = store.get();
    if (!s.run) return;
    try {
      // The checkpoint's step: a snapshot of a later step draws over this grid.
      grid = { ...(await api.decisionGrid(s.run.id, 60)), step: s.run.checkpoint?.step ?? s.history.lastStep };
      drawBoundary(store.get());
    } catch (err) {
      if (err.status !== 409) report(err);
    }
  }, 700);

  const redraw = () => {
    const s = store.get();
    if (s.tab !== "train") return;
    drawCurves(s);
    drawHist(s);
    drawBoundary(s);
    drawFit(s);
    neurons.draw(s);
  };
  $("hist-layer").addEventListener("change", () => drawHist(store.get()));
  $("fit-show-test").addEventListener("change", () => drawFit(store.get()));
  $("show-test").addEventListener("change", () => drawBoundary(store.get()));
  new ResizeObserver(redraw).observe($("view-train"));

  store.subscribe((s, prev) => {
    const kind = datasetKind(s, true);
    const is2d = kind === "2d";
    const ended = s.run && isTerminal(s.run.status) && !isTerminal(prev.run?.status);
    if (s.run && (s.run.id !== prev.run?.id || ended)) loadSnapshots(s.run.id);
    if (s.run?.id !== prev.run?.id) {
      grid = null;
      fit = null;
      neurons.reset();
      if (!s.run) {
        const ctx = $("boundary-grid").getContext("2d");
        ctx.clearRect(0, 0, $("boundary-grid").width, $("boundary-grid").height);
      }
    }
    const progressed = s.history.lastStep !== prev.history.lastStep || s.run?.status !== prev.run?.status || Boolean(s.run?.checkpoint) !== Boolean(prev.run?.checkpoint);
    const due = hasWeights(s.run) && (progressed || s.run.id !== prev.run?.id || (s.tab === "train" && prev.tab !== "train"));
    if (is2d && due) fetchGrid();
    if (kind === "1d" && due) fetchFit();
    if (is2d || kind === "1d") neurons.update(s, prev);
    if (s.tab !== "train") return;
    if (changed(s, prev, "history") || s.tab !== prev.tab) {
      drawCurves(s);
      drawHist(s);
    }
    if (s.tab !== prev.tab || changed(s, prev, "run", "datasets") || s.history.units !== prev.history.units) drawBoundary(s);
    if (s.tab !== prev.tab || changed(s, prev, "run", "datasets") || s.history.units !== prev.history.units) neurons.draw(s);
    if (s.tab !== prev.tab || changed(s, prev, "run", "datasets") || s.config.dataset !== prev.config.dataset) drawFit(s);
  });
}
