/**
 * Activations lab: the chosen activation with its slope (from backward() on
 * the server), and the gradient d a_k / d x through a chain of k one-unit
 * layers a_k = f(w a_(k-1)) on a log scale: vanishing for sigmoid, exactly 0
 * for a ReLU fed a negative input.
 */

import { fitCanvas } from "../../dom.js";
import { fmtNum } from "../../format.js";
import { drawXY } from "../../render/xyPlot.js";
import { COLORS } from "../../render/theme.js";
import { labCaller, bindOutput } from "./request.js";

const $ = (id) => document.getElementById(id);

export function mountActivations({ report }) {
  let result = null;
  bindOutput($("act-x"), $("act-x-out"), (v) => Number(v).toFixed(1));
  bindOutput($("act-depth"), $("act-depth-out"));
  bindOutput($("act-w"), $("act-w-out"), (v) => Number(v).toFixed(1));

  function draw() {
    if (!result) return;
    const r = result;
    const fc = fitCanvas($("act-curve"));
    if (fc) {
      drawXY(fc.ctx, {
        series: [
          { label: `${r.activation}(x)`, color: COLORS.train, points: r.curve.x.map((x, i) => [x, r.curve.y[i]]) },
          { label: "slope", color: COLORS.val, dash: [5, 4], points: r.curve.x.map((x, i) => [x, r.curve.slope[i]]) },
        ],
        vlines: [{ x: r.x * r.weight, color: COLORS.muted }],
      }, { ...fc, xLabel: "x", xRange: [-6, 6] });
    }
    const fg = fitCanvas($("act-grad"));
    const grads = r.gradients.map((g, k) => [k + 1, Math.abs(g)]);
    if (fg) {
      drawXY(fg.ctx, { series: [{ label: "|d a_k / d x|", color: COLORS.bad, dots: true, points: grads }] },
        { ...fg, yLog: true, xLabel: "layer k", xRange: [0.5, r.depth + 0.5] });
    }
    const zero = r.gradients.findIndex((g) => g === 0);
    const last = r.gradients[r.gradients.length - 1];
    $("act-text").textContent = zero >= 0
      ? `The gradient is exactly 0 from layer ${zero + 1} on: this ReLU's input is negative, so it outputs 0 and passes no gradient back (dead).`
      : `Largest slope of ${r.activation}: ${fmtNum(r.max_slope)}. After ${r.depth} layers the gradient reaching x is ${fmtNum(last)}`
        + (Math.abs(last) < 1e-3 ? ": it has vanished, so the first layer barely learns." : ".");
  }

  const call = labCaller("activations", {
    report,
    wait: 40,
    onResult: (r) => {
      result = r;
      draw();
    },
  });
  const load = () => call.soon({
    activation: $("act-name").value,
    x: Number($("act-x").value),
    depth: Number($("act-depth").value),
    weight: Number($("act-w").value),
  });
  for (const id of ["act-x", "act-depth", "act-w"]) $(id).addEventListener("input", load);
  $("act-name").addEventListener("change", load);
  return { load, draw };
}
