/**
 * Universal approximation lab: two hidden units set by hand make a box
 * h (sigma(s(x - a)) - sigma(s(x - b))), and N such boxes, each as high as sin
 * at its middle, add up to sin on [-3, 3]. The server computes every value
 * with the engine's sigmoid; this module only draws and reads the numbers out.
 */

import { fitCanvas } from "../../dom.js";
import { fmtNum } from "../../format.js";
import { drawXY } from "../../render/xyPlot.js";
import { COLORS } from "../../render/theme.js";
import { labCaller, bindOutput } from "./request.js";

const $ = (id) => document.getElementById(id);
const slope = () => Number((10 ** Number($("ua-s").value)).toPrecision(3));

export function mountApproximation({ report }) {
  let result = null;
  bindOutput($("ua-a"), $("ua-a-out"), (v) => Number(v).toFixed(1));
  bindOutput($("ua-b"), $("ua-b-out"), (v) => Number(v).toFixed(1));
  bindOutput($("ua-s"), $("ua-s-out"), () => fmtNum(slope()));
  bindOutput($("ua-h"), $("ua-h-out"), (v) => Number(v).toFixed(1));

  function draw() {
    if (!result) return;
    const r = result;
    const pts = (ys) => r.x.map((x, i) => [x, ys[i]]);
    const fb = fitCanvas($("ua-box"));
    if (fb) {
      drawXY(fb.ctx, {
        series: [
          { label: "+h\u00b7\u03c3(s(x\u2212a))", color: COLORS.train, width: 1.2, dash: [4, 3], points: pts(r.units[0].values) },
          { label: "\u2212h\u00b7\u03c3(s(x\u2212b))", color: COLORS.val, width: 1.2, dash: [4, 3], points: pts(r.units[1].values) },
          { label: "sum: the box", color: COLORS.text, width: 2.4, points: pts(r.bump) },
        ],
        vlines: [{ x: r.a }, { x: r.b }],
      }, { ...fb, xLabel: "x", xRange: [-4, 4] });
    }
    const [u1, u2] = r.units;
    $("ua-text").textContent = `Unit 1: w1 = ${fmtNum(u1.w1)}, b1 = ${fmtNum(u1.b1)}, w2 = ${fmtNum(u1.w2)}. `
      + `Unit 2: w1 = ${fmtNum(u2.w1)}, b1 = ${fmtNum(u2.b1)}, w2 = ${fmtNum(u2.w2)}. `
      + `The box is ${fmtNum(Math.max(...r.bump.map(Math.abs)))} high at most; steeper units (larger s) make straighter walls.`;
    const bx = r.boxes;
    const fs = fitCanvas($("ua-sum"));
    if (fs && bx) {
      drawXY(fs.ctx, {
        series: [
          { label: "sin(x)", color: COLORS.muted, width: 1.2, dash: [4, 3], points: pts(bx.target) },
          { label: `${bx.n} boxes = ${bx.hidden_units} units`, color: COLORS.train, width: 2.2, points: pts(bx.approx) },
        ],
      }, { ...fs, xLabel: "x", xRange: [-4, 4] });
      $("ua-sum-text").textContent = `${bx.n} boxes need ${bx.hidden_units} hidden units (steepness ${fmtNum(r.slope)}). `
        + `Largest error on [\u22123, 3]: ${fmtNum(bx.max_error)}. Change the number of boxes and the steepness and watch it: `
        + "with walls much softer than a box is wide, the boxes blur into one another and more of them stop helping.";
    }
  }

  const call = labCaller("approximation", {
    report,
    wait: 40,
    onResult: (r) => {
      result = r;
      draw();
    },
  });
  const load = () => call.soon({
    a: Number($("ua-a").value),
    b: Number($("ua-b").value),
    slope: slope(),
    height: Number($("ua-h").value),
    boxes: Number($("ua-n").value),
  });
  for (const id of ["ua-a", "ua-b", "ua-s", "ua-h"]) $(id).addEventListener("input", load);
  $("ua-n").addEventListener("change", load);
  return { load, draw };
}
