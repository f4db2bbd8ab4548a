/**
 * Gradient descent lab: the MSE loss surface of y = w x + b drawn from the
 * server's grid, with the full-batch and mini-batch SGD paths the engine took
 * from the same start (click the map to move it), and their full-data losses
 * per step or per epoch (equal compute), with SGD's own batch losses faint
 * behind, and the stability limit 2 / lambda_max of plain gradient descent.
 */

import { fitCanvas, dataCanvas } from "../../dom.js";
import { fmtNum } from "../../format.js";
import { drawSurface, drawPaths, surfacePoint } from "../../render/lossSurface.js";
import { drawLineChart } from "../../render/lineChart.js";
import { COLORS } from "../../render/theme.js";
import { labCaller, bindOutput } from "./request.js";
import { describeDescent } from "../../labText.js";

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
    // x of point i of a path: its step, or the epochs of data read so far (equal compute).
    const perEpoch = $("gd-axis").value === "epoch";
    const at = (batch) => (i) => (perEpoch ? (i * batch) / result.n_samples : i);
    const curve = (values, x) => values.map((v, i) => [x(i), v]);
    if (fl) {
      const sgdX = at(result.batch_size);
      drawLineChart(fl.ctx, {
        series: [
          { label: "full batch", color: COLORS.train, points: curve(result.full_batch.full_losses, at(result.n_samples)) },
          { label: `SGD (batch ${result.batch_size}), all data`, color: COLORS.val, points: curve(result.sgd.full_losses, sgdX) },
          { label: "its batch", color: "rgba(245, 147, 34, 0.35)", width: 1, points: result.sgd.losses.map((v, i) => [sgdX(i + 1), v]) },
        ],
      }, { ...fl, yLog: true, xLabel: perEpoch ? "epochs (points read / 100)" : "step", xMin: 0, fractionalX: perEpoch });
    }
    const limit = result.stability.lr_limit;
    $("gd-limit").textContent = `2/\u03bb\u2098\u2090\u2093 = ${fmtNum(limit)}${result.lr > limit ? ": \u03b1 is above it" : ""}`;
    $("gd-text").textContent = describeDescent(result);
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
  $("gd-axis").addEventListener("change", draw);
  $("gd-paths").addEventListener("click", (e) => {
    if (!result) return;
    const box = e.currentTarget.getBoundingClientRect();
    start = surfacePoint(result.grid, e.clientX - box.left, e.clientY - box.top, { width: box.width, height: box.height });
    load();
  });
  return { load, draw };
}
