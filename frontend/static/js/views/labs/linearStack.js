/**
 * Stacked linear layers lab: three dense layers without activations multiply
 * out to one (W, b) = (W3 W2 W1, W3(W2 b1 + b2) + b3) in the notes' column
 * convention, with ReLU they do not; trained on circle, only the ReLU stack
 * bends its boundary. Both decision maps come from the server; the p = 0.5
 * line is drawn over each.
 */

import { fitCanvas, dataCanvas } from "../../dom.js";
import { fmtNum, fmtPct } from "../../format.js";
import { drawDecisionGrid, drawPoints, drawContour } from "../../render/decisionMap.js";
import { labCaller, bindOutput } from "./request.js";

const $ = (id) => document.getElementById(id);
const fmtMat = (m) => `[${m.map((row) => `[${row.map((v) => fmtNum(v)).join(", ")}]`).join(", ")}]`;

export function mountLinearStack({ report }) {
  let result = null;
  bindOutput($("ls-steps"), $("ls-steps-out"));

  function drawOne(name) {
    const part = result[name];
    const grid = { ...part.grid, classes: 2, train: { x: result.points, y: result.labels } };
    drawDecisionGrid(dataCanvas($(`ls-${name}-grid`), grid.resolution, grid.resolution), grid);
    const fc = fitCanvas($(`ls-${name}-points`));
    if (fc) {
      drawPoints(fc.ctx, grid, { ...fc, showTest: false });
      drawContour(fc.ctx, grid, { ...fc, color: "#1f2933", lineWidth: 2 });
    }
    const d = part.after.max_difference;
    const one = part.after.one_layer;
    const guess = part.accuracy < 0.7 ? " (a straight line can do little better than guessing on a ring)" : "";
    $(`ls-${name}-text`).textContent = `Accuracy ${fmtPct(part.accuracy)} after ${result.steps} steps${guess}. `
      + `max |stack(x) \u2212 (W x + b)| = ${fmtNum(d)}: ${one ? "the same function as one dense layer" : "not one layer"}.`
      + (one ? ` W = W3 W2 W1 = ${fmtMat(part.after.product_weight)}, b = W3(W2 b1 + b2) + b3 = [${part.after.product_bias.map((v) => fmtNum(v)).join(", ")}].` : "");
  }

  function draw() {
    if (!result) return;
    drawOne("linear");
    drawOne("relu");
  }

  const call = labCaller("linear-stack", {
    report,
    onResult: (r) => {
      result = r;
      $("ls-run").disabled = false;
      draw();
    },
  });
  const load = () => {
    $("ls-run").disabled = true;
    call.now({ hidden: Number($("ls-hidden").value), steps: Number($("ls-steps").value) });
  };
  $("ls-run").addEventListener("click", load);
  return { load, draw };
}
