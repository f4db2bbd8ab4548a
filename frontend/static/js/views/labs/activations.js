/**
 * Activations lab: the chosen activation with its slope (from backward() on
 * the server) and both formulas, and the gradient d a_k / d x through a chain
 * of k one-unit layers a_k = f(w a_(k-1)) on a log scale, with each layer's
 * factor |w f'(z_k)| and the bound |w| max|f'| it cannot exceed.
 */

import { fitCanvas } from "../../dom.js";
import { fmtNum } from "../../format.js";
import { drawXY } from "../../render/xyPlot.js";
import { COLORS } from "../../render/theme.js";
import { labCaller, bindOutput } from "./request.js";
import { FORMULAS, describeChain } from "../../labText.js";

const $ = (id) => document.getElementById(id);

export function mountActivations({ report }) {
  let result = null;
  bindOutput($("act-x"), $("act-x-out"), (v) => Number(v).toFixed(1));
  bindOutput($("act-depth"), $("act-depth-out"));
  bindOutput($("act-w"), $("act-w-out"), (v) => Number(v).toFixed(1));
  bindOutput($("act-alpha"), $("act-alpha-out"), (v) => Number(v).toFixed(2));

  function showFormula(name) {
    const f = FORMULAS[name];
    $("act-formula").replaceChildren(...[f.f, f.df].map((t) => Object.assign(document.createElement("span"), { textContent: t })));
    $("act-alpha-box").hidden = name !== "leaky_relu";
  }

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
    const factors = r.factors.map((g, k) => [k + 1, Math.abs(g)]);
    if (fg) {
      drawXY(fg.ctx, {
        series: [
          { label: "|d a_k / d x|", color: COLORS.bad, dots: true, points: grads },
          { label: "factor |w f'(z_k)|", color: COLORS.good, dots: true, dash: [3, 3], points: factors },
        ],
        hlines: [{ y: 1, color: COLORS.muted }],
      }, { ...fg, yLog: true, xLabel: "layer k", xRange: [0.5, r.depth + 0.5] });
    }
    $("act-text").textContent = describeChain(r);
    $("act-text").dataset.last = String(r.gradients[r.gradients.length - 1]);
  }

  const call = labCaller("activations", {
    report,
    wait: 40,
    onResult: (r) => {
      result = r;
      draw();
    },
  });
  const load = () => {
    showFormula($("act-name").value);
    call.soon({
      activation: $("act-name").value,
      x: Number($("act-x").value),
      depth: Number($("act-depth").value),
      weight: Number($("act-w").value),
      alpha: Number($("act-alpha").value),
    });
  };
  for (const id of ["act-x", "act-depth", "act-w", "act-alpha"]) $(id).addEventListener("input", load);
  $("act-name").addEventListener("change", load);
  showFormula($("act-name").value);
  return { load, draw };
}
