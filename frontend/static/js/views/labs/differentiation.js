/**
 * Differentiation lab: choose f, x and the step h; the server returns f(x),
 * the forward and central differences with their errors, the dual-number and
 * backward() derivatives, the curve with its tangent and the error-vs-h sweep.
 */

import { el, fitCanvas } from "../../dom.js";
import { fmtNum } from "../../format.js";
import { drawXY } from "../../render/xyPlot.js";
import { COLORS } from "../../render/theme.js";
import { hFromSlider } from "../../labText.js";
import { labCaller, bindOutput } from "./request.js";

const $ = (id) => document.getElementById(id);
const DEFAULT_EXPRESSION = "x*sigmoid(x) + exp(-x**2)/(1+x)";

export function mountDifferentiation({ report }) {
  let result = null;
  const select = $("diff-expr");
  // The server names its expressions in every answer; the first one fills the list.
  select.replaceChildren(el("option", { value: DEFAULT_EXPRESSION, text: DEFAULT_EXPRESSION }));
  bindOutput($("diff-x"), $("diff-x-out"), (v) => Number(v).toFixed(2));
  bindOutput($("diff-h"), $("diff-h-out"), (v) => hFromSlider(v).toExponential(0));

  function draw() {
    if (!result) return;
    const r = result;
    const curve = fitCanvas($("diff-curve"));
    if (curve) {
      drawXY(curve.ctx, {
        series: [
          { label: "f(x)", color: COLORS.train, points: r.curve.x.map((x, i) => [x, r.curve.y[i]]) },
          { label: "tangent, slope f\u2032(x)", color: COLORS.val, dash: [5, 4], points: r.tangent.x.map((x, i) => [x, r.tangent.y[i]]) },
        ],
        marks: [{ x: r.x, y: r.value, color: COLORS.text }],
      }, { ...curve, xLabel: "x", yRange: curveRange(r) });
    }
    const err = fitCanvas($("diff-error"));
    if (err) {
      const h = r.sweep.h;
      drawXY(err.ctx, {
        series: [
          { label: "forward difference", color: COLORS.val, dots: true, points: h.map((v, i) => [v, r.sweep.forward_error[i]]) },
          { label: "central difference", color: COLORS.train, dots: true, points: h.map((v, i) => [v, r.sweep.central_error[i]]) },
        ],
        vlines: [{ x: r.h, color: COLORS.text }],
      }, { ...err, xLog: true, yLog: true, xLabel: "step h (log)", yLabel: "|error|" });
    }
    const rows = [
      ["f(x)", r.value, null, "plain evaluation"],
      ["forward difference", r.forward_difference, r.forward_error, "(f(x+h) \u2212 f(x)) / h"],
      ["central difference", r.central_difference, r.central_error, "(f(x+h) \u2212 f(x\u2212h)) / 2h"],
      ["forward mode (dual numbers)", r.forward_mode, null, "one pass with x + 1\u00b7\u03b5"],
      ["reverse mode (backward())", r.reverse_mode, null, "graph, then chain rule backwards"],
    ];
    $("diff-table").replaceChildren(
      el("tr", {}, el("th", { scope: "col", text: "method" }), el("th", { text: "value" }), el("th", { text: "error vs exact" }), el("th", { text: "how" })),
      ...rows.map(([name, v, e, how]) => el("tr", {},
        el("th", { scope: "row", text: name }),
        el("td", { class: "num", text: v.toPrecision(12) }),
        el("td", { class: "num", text: e === null ? "" : fmtNum(e) }),
        el("td", { class: "small", text: how }))),
    );
    $("diff-msg").textContent = "";
  }

  const call = labCaller("differentiation", {
    report,
    onResult: (r) => {
      result = r;
      if (select.options.length < r.expressions.length) {
        select.replaceChildren(...r.expressions.map((e) => el("option", { value: e, text: e })));
        select.value = r.expression;
      }
      draw();
    },
    onError: (msg) => {
      $("diff-msg").textContent = msg;
    },
  });
  const request = (now) => {
    const body = { expression: select.value, x: Number($("diff-x").value), h: hFromSlider($("diff-h").value) };
    (now ? call.now : call.soon)(body);
  };
  for (const id of ["diff-x", "diff-h"]) $(id).addEventListener("input", () => request(false));
  select.addEventListener("change", () => request(true));
  return { load: () => request(true), draw };
}

/** Keep the tangent from stretching the y axis: the curve's own range, padded. */
function curveRange(r) {
  const ys = r.curve.y.filter((v) => v !== null && Number.isFinite(v));
  if (!ys.length) return undefined;
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  // a pole (1/x) would flatten everything else: clip to a few times the middle spread
  const sorted = [...ys].sort((a, b) => a - b);
  const q1 = sorted[Math.floor(sorted.length * 0.1)];
  const q9 = sorted[Math.floor(sorted.length * 0.9)];
  const spread = Math.max(q9 - q1, 1e-6);
  lo = Math.max(lo, q1 - spread);
  hi = Math.min(hi, q9 + spread);
  const pad = (hi - lo) * 0.08 || 1;
  return [lo - pad, hi + pad];
}
