/**
 * The Train view's neuron cards: "Network, unit by unit" (every hidden unit's
 * output over the input plane or along x, weights as lines, dead units blank,
 * hover names a unit's incoming weights) and, for 1-D runs, each unit's
 * contribution w2_j h_j(x) to the fitted curve. The views stream with the
 * run's snapshots (history.units); a run opened after it ended asks GET /units once.
 */

import { api } from "../api.js";
import { fitCanvas } from "../dom.js";
import { fmtNum } from "../format.js";
import { drawNeurons, tileAt } from "../render/neurons.js";
import { drawXY } from "../render/xyPlot.js";
import { COLORS } from "../render/theme.js";
import { contributions } from "../approx.js";
import { hasWeights } from "./runControl.js";
import { isTerminal } from "../vocab.js";

const $ = (id) => document.getElementById(id);
const datasetKind = (s) => s.datasets.find((d) => d.name === (s.run?.dataset || s.config.dataset))?.kind;

/** `boundaryGrid(s)`: the Train view's freshest decision grid, for the output tile. */
export function mountNeurons({ store, report, boundaryGrid }) {
  let stored = null; // {runId, views}: GET /units of a run opened after it ended
  let hover = null; // the tile under the pointer

  // Universal approximation: each hidden unit's share of the 1-D fit, and their sum.
  function drawParts(s) {
    const canvas = $("fit-parts");
    const f = fitCanvas(canvas);
    if (!f) return;
    const u = neuronViews(s);
    const c = u ? contributions(u.views) : { reason: "waiting for the units" };
    canvas.dataset.parts = String(c.parts?.length || 0);
    if (c.reason) {
      drawXY(f.ctx, { series: [] }, f);
      f.ctx.fillStyle = COLORS.muted;
      f.ctx.textAlign = "center";
      f.ctx.fillText(`No breakdown: it ${c.reason}.`, f.width / 2, f.height / 2);
      $("fit-parts-text").textContent = "";
      return;
    }
    const series = c.parts.map((p, j) => ({ color: COLORS.series[j % COLORS.series.length], width: 1, points: c.x.map((x, i) => [x, p.values[i]]) }));
    series.push({ label: "sum + b2", color: COLORS.text, width: 2.4, points: c.x.map((x, i) => [x, c.sum[i]]) });
    drawXY(f.ctx, { series }, { ...f, xLabel: "x" });
    const big = [...c.parts].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))[0];
    $("fit-parts-text").textContent = `${c.parts.length} units; the largest output weight is unit ${big.unit}'s (w2 = ${fmtNum(big.weight)}); b2 = ${fmtNum(c.bias)}.`;
  }

  // The neuron views: streamed with snapshots while a run is watched, else fetched once.
  const neuronViews = (s) => (s.history.units ? s.history.units : stored && stored.runId === s.run?.id ? stored : null);

  function draw(s) {
    const kind = datasetKind(s);
    const card = $("neurons-card");
    const u = neuronViews(s);
    card.hidden = !(kind === "2d" || kind === "1d") || !s.run;
    if (card.hidden) return;
    if (kind === "1d") drawParts(s);
    const canvas = $("neurons");
    const f = fitCanvas(canvas);
    if (!f) return;
    if (!u || !u.views.layers.length) {
      f.ctx.clearRect(0, 0, f.width, f.height);
      f.ctx.fillStyle = COLORS.muted;
      f.ctx.textAlign = "center";
      f.ctx.fillText(u ? "This model has no hidden layer: nothing between the inputs and the output" : "The units appear with the first snapshot\u2026", f.width / 2, f.height / 2);
      canvas.dataset.step = "";
      return;
    }
    drawNeurons(f.ctx, { views: u.views, decision: u.decision || (u.views.kind === "2d" ? boundaryGrid(s) : null) }, { ...f, highlight: hover });
    // What was drawn, for tests and curious readers: the step and a digest of the pictures.
    canvas.dataset.step = String(u.step ?? "");
    canvas.dataset.dead = String(u.views.layers.reduce((n, l) => n + l.dead, 0));
    $("neurons-step").textContent = u.step !== undefined ? `each hidden unit's output over the input space at step ${u.step}` : "each hidden unit's output over the input space, from the last weights";
  }

  function describeUnit(s, t) {
    const u = neuronViews(s);
    if (!u || !t || t.layer === "input" || t.layer === "output") {
      return t?.layer === "output" ? "The output: the decision map of the whole network." : t?.layer === "input" ? "An input feature over the plane." : "Point at a unit to read its incoming weights.";
    }
    const layer = u.views.layers[t.layer];
    const unit = layer.units[t.unit];
    const names = layer.index === u.views.layers[0].index ? (u.views.inputs || []).map((i) => i.label) : unit.weights.map((_, i) => `h${i}`);
    const terms = unit.weights.map((w, i) => `${w < 0 ? "\u2212 " : "+ "}${fmtNum(Math.abs(w))}\u00b7${names[i] || `in${i}`}`).join(" ").replace(/^\+ /, "");
    const act = layer.activation || "no activation";
    return `Layer ${layer.index}, unit ${unit.unit} (${act}): z = ${terms} ${unit.bias < 0 ? "\u2212" : "+"} ${fmtNum(Math.abs(unit.bias))}.`
      + (unit.dead ? ` Dead: it outputs 0 for every one of the ${u.views.dead_checked_on ?? ""} training points, so it passes no gradient and cannot recover.`.replace("  ", " ") : "");
  }

  const neuronsCanvas = $("neurons");
  neuronsCanvas.addEventListener("mousemove", (e) => {
    const s = store.get();
    const u = neuronViews(s);
    const box = neuronsCanvas.getBoundingClientRect();
    const t = u ? tileAt(u.views, { width: box.width, height: box.height }, e.clientX - box.left, e.clientY - box.top) : null;
    const key = t ? `${t.layer}:${t.unit}` : "";
    if (key === (hover ? `${hover.layer}:${hover.unit}` : "")) return;
    hover = t ? { layer: t.layer, unit: t.unit } : null;
    $("neurons-info").textContent = describeUnit(s, t);
    draw(s);
  });
  neuronsCanvas.addEventListener("mouseleave", () => {
    hover = null;
    draw(store.get());
  });

  async function loadUnits(runId) {
    try {
      const views = await api.units(runId);
      if (store.get().run?.id !== runId) return;
      stored = { runId, views };
      draw(store.get());
    } catch (err) {
      if (err.status !== 409 && err.status !== 404) report(err);
    }
  }

  return {
    draw,
    reset() {
      stored = null;
      hover = null;
    },
    /** A run that is not streaming its units (opened after it ended): ask once. */
    update(s, prev) {
      const over = s.run && isTerminal(s.run.status);
      if (over && hasWeights(s.run) && !s.history.units && (!stored || stored.runId !== s.run.id)
        && (s.run.id !== prev.run?.id || !isTerminal(prev.run?.status))) loadUnits(s.run.id);
    },
  };
}
