/**
 * Pooling lab: max or average pooling (window, stride, SAME/VALID) of the
 * convolution lab's input or of its output (the usual conv -> pool), computed
 * by the engine's pooling on the server; the window slides like the
 * convolution's, each max's winner is circled, and the text says what the
 * pooled map keeps.
 */

import { el, fitCanvas } from "../../dom.js";
import { drawCells } from "../../render/convGrid.js";
import { poolWindow, isPadding, cellAt } from "./convMath.js";
import { labCaller } from "./request.js";

const $ = (id) => document.getElementById(id);

/** The unpadded grid [row][col][channel] inside a padded one. */
const unpad = (padded, pad) => padded.slice(pad[0], padded.length - pad[1]).map((row) => row.slice(pad[2], row.length - pad[3]));

export function mountPoolLab({ report }, conv) {
  let result = null;
  let cell = 0;
  let timer = null;

  function body() {
    const r = conv.result();
    if (!r) return null;
    const grid = $("pl-of").value === "output" ? r.output : unpad(r.padded_input, r.pad);
    const stride = $("pl-stride").value;
    return { input: grid, mode: $("pl-mode").value, window: Number($("pl-window").value),
      stride: stride === "window" ? null : Number(stride), padding: $("pl-padding").value };
  }

  function keeps(r) {
    const [oh, ow, c] = r.shape;
    const h = r.padded_input.length - r.pad[0] - r.pad[1];
    const w = r.padded_input[0].length - r.pad[2] - r.pad[3];
    const share = `${oh * ow} of ${h * w} values per channel (${Math.round((100 * oh * ow) / (h * w))}%)`;
    const what = r.mode === "max"
      ? `Max pooling keeps the largest value of each ${r.window}\u00d7${r.window} window (circled); where in the window it was is lost, so a maximum that moves within its window gives the same output.`
      : `Average pooling keeps the mean of each window's real inputs (SAME padding is not counted): a blurred, smaller map.`;
    const lostRows = r.formula.h.unused;
    const lostCols = r.formula.w.unused;
    const lost = lostRows || lostCols ? ` No window reaches the last ${lostRows} row(s) and ${lostCols} column(s): they are dropped.` : "";
    return `${what} The ${h}\u00d7${w} map becomes ${oh}\u00d7${ow}: ${share}${c > 1 ? `, in each of ${c} channels` : ""}.${lost} ${r.formula.h.text}.`;
  }

  function draw() {
    if (!result) return;
    const r = result;
    const [oh, ow, channels] = r.shape;
    cell = Math.min(cell, oh * ow - 1);
    const c = Math.min(Number($("pl-c").value) || 0, channels - 1);
    const [x, y] = cellAt(cell, ow);
    const h = r.padded_input.length - r.pad[0] - r.pad[1];
    const w = r.padded_input[0].length - r.pad[2] - r.pad[3];
    const win = poolWindow(r.padded_input, r.window, r.stride, x, y, c, r.mode);
    const fi = fitCanvas($("pl-input"));
    if (fi) {
      drawCells(fi.ctx, {
        values: r.padded_input.map((row) => row.map((v) => v[c])), isPad: (i, j) => isPadding(i, j, h, w, r.pad),
        window: { i: r.stride * x, j: r.stride * y, size: r.window },
        marks: r.mode === "max" ? [r.winners[x][y][c]] : [],
      }, fi);
    }
    const fo = fitCanvas($("pl-output"));
    if (fo) drawCells(fo.ctx, { values: r.output.map((row) => row.map((v) => v[c])), current: [x, y] }, fo);
    $("pl-scrub").max = String(oh * ow - 1);
    $("pl-scrub").value = String(cell);
    $("pl-text").textContent = `P(${x}, ${y}) = ${win.text}; engine: ${Number(r.output[x][y][c].toPrecision(6))}`;
    $("pl-keeps").textContent = keeps(r);
  }

  const call = labCaller("pool", {
    report,
    onResult: (r) => {
      result = r;
      $("pl-msg").textContent = "";
      const n = r.shape[2];
      if ($("pl-c").options.length !== n) {
        $("pl-c").replaceChildren(...Array.from({ length: n }, (_, i) => el("option", { value: String(i), text: `channel ${i}` })));
      }
      draw();
    },
    onError: (m) => { $("pl-msg").textContent = m; },
  });
  const send = () => {
    const b = body();
    if (b) call.soon(b);
  };
  const stop = () => {
    clearInterval(timer);
    timer = null;
    $("pl-play").textContent = "\u25b6 Play";
  };
  const go = (i) => {
    if (!result) return;
    const total = result.shape[0] * result.shape[1];
    cell = ((i % total) + total) % total;
    draw();
  };
  for (const id of ["pl-mode", "pl-window", "pl-stride", "pl-padding", "pl-of"]) $(id).addEventListener("change", () => { cell = 0; send(); });
  $("pl-c").addEventListener("change", draw);
  $("pl-next").addEventListener("click", () => { stop(); go(cell + 1); });
  $("pl-back").addEventListener("click", () => { stop(); go(cell - 1); });
  $("pl-scrub").addEventListener("input", (e) => { stop(); go(Number(e.target.value)); });
  $("pl-play").addEventListener("click", () => {
    if (timer) return stop();
    $("pl-play").textContent = "\u275a\u275a Pause";
    timer = setInterval(() => go(cell + 1), 600);
  });
  conv.onResult(send);
  return { load: send, draw, hide: stop };
}
