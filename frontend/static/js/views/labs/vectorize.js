/**
 * Vectorized arrays lab: the server times a Python loop and one NumPy call
 * computing the same dot or matrix product; the page shows both times.
 */

import { fitCanvas } from "../../dom.js";
import { fmtNum } from "../../format.js";
import { drawBars } from "../../render/bars.js";
import { labCaller } from "./request.js";

const $ = (id) => document.getElementById(id);
const SIZES = { dot: ["1000", "10000", "100000", "200000"], matmul: ["10", "20", "40", "80"] };
const ms = (s) => `${fmtNum(s * 1000)} ms`;

export function mountVectorize({ report }) {
  let result = null;
  const fillSizes = () => {
    const sizes = SIZES[$("vec-op").value];
    $("vec-size").replaceChildren(...sizes.map((v) => new Option(v, v)));
    $("vec-size").value = sizes[2];
  };
  fillSizes();

  function draw() {
    if (!result) return;
    const fc = fitCanvas($("vec-bars"));
    if (fc) {
      drawBars(fc.ctx, { values: [result.loop_seconds * 1000, result.numpy_seconds * 1000], labels: ["loop, ms", "NumPy, ms"], highlight: 1 },
        { ...fc, labelWidth: 76, format: (v) => fmtNum(v) });
    }
    const what = result.operation === "dot" ? `dot product of two ${result.size}-vectors` : `${result.size}\u00d7${result.size} matrix product`;
    $("vec-text").textContent = `${what} (${fmtNum(result.flops)} floating-point operations): Python loop ${ms(result.loop_seconds)}, `
      + `NumPy ${ms(result.numpy_seconds)}: ${fmtNum(result.speedup)}\u00d7 faster, same answer to ${fmtNum(result.max_difference)}.`;
  }

  const call = labCaller("vectorize", {
    report,
    onResult: (r) => {
      result = r;
      $("vec-run").disabled = false;
      draw();
    },
  });
  const load = () => {
    $("vec-run").disabled = true;
    call.now({ operation: $("vec-op").value, size: Number($("vec-size").value) });
  };
  $("vec-op").addEventListener("change", () => {
    fillSizes();
    load();
  });
  $("vec-run").addEventListener("click", load);
  return { load, draw };
}
