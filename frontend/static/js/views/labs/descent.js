/**
 * Gradient descent lab: the MSE loss surface of y = w x + b drawn from the
 * server's grid, with the full-batch and mini-batch SGD paths the engine took
 * from the same start (click the map to move it), and their losses per step.
 */

import { fitCanvas, dataCanvas } from "../../dom.js";
import { fmtNum } from "../../format.js";
import { drawSurface, drawPaths, surfacePoint } from "../../render/lossSurface.js";
import { drawLineChart } from "../../render/lineChart.js";
import { COLORS } from "../../render/theme.js";
import { labCaller, bindOutput } from "./request.js";

const $ = (id) => document.getElementById(id);

export function mountDescent({ report }) {
  let result = null;
  let start = [-2, 3];
  bindOutput($("gd-lr"), $("gd-lr-out"), (v) => (10 ** Number(v)).toPrecision(2));
  bindOutput($("gd-batch"), $("gd-batch-out"));
  bindOutput($("gd-steps"), $("gd-steps-out"));

  const pathsData = () => ({
    w: result.grid.w, b: result.grid.b, optimum: result.optimum,
    paths: [
      { points: result.full_batch.points, color: COLORS.train },
      { points: result.sgd.points, color: COLORS.val },
    ],
  });

  function draw() {
    if (!result) return;
    const g = result.grid;
    drawSurface(dataCanvas($("gd-surface"), g.w.length, g.b.length), g);
    const fp = fitCanvas($("gd-paths"));
    if (fp) drawPaths(fp.ctx, pathsData(), fp);
    const fl = fitCanvas($("gd-loss"));
    if (fl) {
      drawLineChart(fl.ctx, {
        series: [
          { label: "full batch", color: COLORS.train, points: result.full_batch.losses.map((v, i) => [i + 1, v]) },
          { label: `SGD, batch ${result.batch_size}`, color: COLORS.val, points: result.sgd.losses.map((v, i) => [i + 1, v]) },
        ],
      }, { ...fl, yLog: true, xLabel: "step" });
    }
    const say = (name, p) => (p.diverged
      ? `${name}: diverged after ${p.losses.length} steps (the steps overshoot and grow).`
      : `${name}: loss ${fmtNum(p.final_loss, 4)} at w = ${fmtNum(p.points[p.points.length - 1][0])}, b = ${fmtNum(p.points[p.points.length - 1][1])}.`);
    $("gd-text").textContent = `${say("Full batch", result.full_batch)} ${say("SGD", result.sgd)} `
      + `Least squares: w = ${fmtNum(result.optimum.w)}, b = ${fmtNum(result.optimum.b)}, loss ${fmtNum(result.optimum.loss, 4)} (\u00d7).`;
  }

  const call = labCaller("descent", {
    report,
    onResult: (r) => {
      result = r;
      draw();
    },
    onError: (msg) => {
      $("gd-text").textContent = msg;
    },
  });
  const load = () => call.soon({
    lr: Number((10 ** Number($("gd-lr").value)).toPrecision(3)),
    batch_size: Number($("gd-batch").value),
    steps: Number($("gd-steps").value),
    optimizer: $("gd-opt").value,
    n_samples: 100,
    start_w: Number(start[0].toFixed(3)),
    start_b: Number(start[1].toFixed(3)),
  });
  for (const id of ["gd-lr", "gd-batch", "gd-steps"]) $(id).addEventListener("input", load);
  $("gd-opt").addEventListener("change", load);
  $("gd-paths").addEventListener("click", (e) => {
    if (!result) return;
    const box = e.currentTarget.getBoundingClientRect();
    start = surfacePoint(result.grid, e.clientX - box.left, e.clientY - box.top, { width: box.width, height: box.height });
    load();
  });
  return { load, draw };
}
