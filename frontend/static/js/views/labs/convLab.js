/**
 * Convolution explainer: an input (editable grid, a drawn digit or an MNIST
 * test image, one or more channels), a filter bank (presets, hand-edited, or
 * the first conv layer of a trained run), stride, padding and bias. The
 * server's engine conv2d computes the output and the padded input; the page
 * slides the window cell by cell (play, step, scrub, speed) and writes the
 * products, their sum and + b for the current output cell in the notes'
 * notation. Listeners (the pooling lab) get each new input and output.
 */

import { api } from "../../api.js";
import { el, fitCanvas } from "../../dom.js";
import { drawCells, cellAtPoint } from "../../render/convGrid.js";
import { PRESETS, presetKernel, windowProducts, sumText, isPadding, paint, starterGrid, cellAt } from "./convMath.js";
import { labCaller } from "./request.js";

const $ = (id) => document.getElementById(id);
const SPEEDS = { slow: 1200, normal: 600, fast: 220, fastest: 60 };
const BANK = ["vertical", "horizontal", "blur", "sharpen"];
const DRAW_SIDE = 16;

export function mountConvLab({ report }) {
  const st = { grid: null, kernel: null, bias: [0], cell: 0, q: 0, c: 0, selected: null, timer: null };
  let result = null;
  const listeners = [];

  $("cv-preset").replaceChildren(...Object.entries(PRESETS).map(([v, t]) => el("option", { value: v, text: t })),
    el("option", { value: "run", text: "a filter from a trained run\u2026" }));
  $("cv-preset").value = "vertical";

  const channels = () => (st.grid ? st.grid[0][0].length : 1);
  const nFilters = () => st.kernel[0][0][0].length;

  function makeGrid() {
    const source = $("cv-source").value;
    const c = Number($("cv-channels").value);
    if (source === "draw") st.grid = Array.from({ length: DRAW_SIDE }, () => Array.from({ length: DRAW_SIDE }, () => [0]));
    else if (source === "grid") {
      const n = Number($("cv-size").value);
      const base = starterGrid(n, n);
      // Channel k: the stroke, its transpose, its mirror image: different inputs per channel.
      const pick = [(i, j) => base[i][j], (i, j) => base[j][i], (i, j) => base[i][n - 1 - j]];
      st.grid = base.map((row, i) => row.map((_, j) => Array.from({ length: c }, (_, k) => pick[k](i, j))));
    } else st.grid = null; // MNIST: the server sends the image with its answer
    $("cv-size").disabled = source !== "grid";
    $("cv-channels").disabled = source !== "grid";
    $("cv-mnist").disabled = source !== "mnist";
    $("cv-clear").hidden = source !== "draw";
    $("cv-draw-hint").hidden = source !== "draw";
    $("cv-cell-edit").hidden = source !== "grid";
  }

  function makeKernel() {
    const f = Number($("cv-f").value);
    const k = Number($("cv-filters").value);
    const first = $("cv-preset").value === "run" ? "vertical" : $("cv-preset").value;
    const names = [first, ...BANK.filter((b) => b !== first)].slice(0, k);
    const planes = names.map((name) => presetKernel(name, f));
    st.kernel = Array.from({ length: f }, (_, m) => Array.from({ length: f }, (_, n) =>
      Array.from({ length: channels() }, () => planes.map((p) => p[m][n]))));
    st.bias = st.bias.slice(0, k).concat(new Array(Math.max(0, k - st.bias.length)).fill(st.bias[0] ?? 0));
  }

  function kernelEditor() {
    const f = st.kernel.length;
    st.q = Math.min(st.q, nFilters() - 1);
    st.c = Math.min(st.c, channels() - 1);
    $("cv-kernel").style.gridTemplateColumns = `repeat(${f}, 54px)`;
    $("cv-kernel").replaceChildren(...st.kernel.flatMap((row, m) => row.map((cell, n) => el("input", {
      type: "number", step: "0.1", value: String(cell[st.c][st.q]), "aria-label": `K(${m}, ${n})`,
      oninput: (e) => { if (e.target.value !== "") { st.kernel[m][n][st.c][st.q] = Number(e.target.value); send(); } },
    }))));
    const fill = (sel, n, label) => {
      const keep = Math.min(Number(sel.value) || 0, n - 1);
      sel.replaceChildren(...Array.from({ length: n }, (_, i) => el("option", { value: String(i), text: label(i) })));
      sel.value = String(keep);
    };
    fill($("cv-q"), nFilters(), (i) => `filter ${i}`);
    fill($("cv-c"), channels(), (i) => `channel ${i}`);
    $("cv-bias").value = String(st.bias[st.q]);
  }

  function body() {
    const c = channels();
    const k = nFilters();
    const kernel = c === 1 && k === 1 ? st.kernel.map((r) => r.map((v) => v[0][0])) : st.kernel;
    const pad = $("cv-padding").value;
    const b = {
      kernel, stride: Number($("cv-stride").value), padding: /^\d$/.test(pad) ? Number(pad) : pad,
      bias: k === 1 ? st.bias[0] : st.bias,
    };
    if (!st.grid) b.mnist_index = Number($("cv-mnist").value) || 0;
    else b.input = c === 1 ? st.grid.map((r) => r.map((v) => v[0])) : st.grid;
    return b;
  }

  function readout() {
    const r = result;
    const [oh, ow] = r.shape;
    const [x, y] = cellAt(st.cell, ow);
    const w = windowProducts(r.padded_input, r.kernel, r.stride, x, y, st.q);
    const lines = sumText(w, r.bias[st.q], x, y, r.stride, r.padded_input[0][0].length);
    $("cv-sum").replaceChildren(...lines.map((t) => el("div", { text: t })));
    $("cv-engine").textContent = `engine conv2d, filter ${st.q}: V(${x}, ${y}) = ${Number(r.output[x][y][st.q].toPrecision(6))}`;
    $("cv-pos").textContent = `cell (${x}, ${y}), ${st.cell + 1} of ${oh * ow}`;
    const f = r.formula;
    $("cv-formula").replaceChildren(el("div", { text: f.h.text }), el("div", { text: f.w.text }),
      el("div", { text: `d' = ${f.d} (one output channel per filter)` }),
      ...[["rows", f.h.unused], ["columns", f.w.unused]].filter(([, u]) => u > 0)
        .map(([what, u]) => el("div", { class: "same", text: `${what}: the floor \u230a\u230b drops the last ${u} of the padded input: no window reaches ${u === 1 ? "it" : "them"}` })),
      ...[f.h.same, f.w.same].filter(Boolean).map((t, i) => el("div", { class: "same", text: `${i ? "columns" : "rows"}: ${t}` })));
  }

  function draw() {
    if (!result) return;
    const r = result;
    const [oh, ow] = r.shape;
    st.cell = Math.min(st.cell, oh * ow - 1);
    const [x, y] = cellAt(st.cell, ow);
    const f = r.kernel.length;
    const [h, w] = [r.padded_input.length - r.pad[0] - r.pad[1], r.padded_input[0].length - r.pad[2] - r.pad[3]];
    const fi = fitCanvas($("cv-input"));
    if (fi) {
      drawCells(fi.ctx, {
        values: r.padded_input.map((row) => row.map((v) => v[st.c])), isPad: (i, j) => isPadding(i, j, h, w, r.pad),
        window: { i: r.stride * x, j: r.stride * y, size: f }, marks: st.selected ? [[st.selected[0] + r.pad[0], st.selected[1] + r.pad[2]]] : [],
      }, fi);
    }
    const fo = fitCanvas($("cv-output"));
    if (fo) drawCells(fo.ctx, { values: r.output.map((row) => row.map((v) => v[st.q])), current: [x, y] }, fo);
    $("cv-scrub").max = String(oh * ow - 1);
    $("cv-scrub").value = String(st.cell);
    $("cv-input-cap").textContent = `padded input ${r.padded_input.length}\u00d7${r.padded_input[0].length}, channel ${st.c}`
      + ` (pad top ${r.pad[0]}, bottom ${r.pad[1]}, left ${r.pad[2]}, right ${r.pad[3]})${r.mnist_label !== undefined ? `, MNIST label ${r.mnist_label}` : ""}`;
    $("cv-output-cap").textContent = `output ${oh}\u00d7${ow}\u00d7${r.shape[2]}, filter ${st.q}`;
    readout();
  }

  const call = labCaller("conv", {
    report,
    onResult: (r) => {
      result = r;
      $("cv-msg").textContent = "";
      draw();
      for (const fn of listeners) fn(r);
    },
    onError: (m) => { $("cv-msg").textContent = m; },
  });
  const send = () => call.soon(body());

  const stop = () => {
    clearInterval(st.timer);
    st.timer = null;
    $("cv-play").textContent = "\u25b6 Play";
  };
  const go = (i) => {
    if (!result) return;
    const total = result.shape[0] * result.shape[1];
    st.cell = ((i % total) + total) % total;
    draw();
  };
  const play = () => {
    if (st.timer) return stop();
    $("cv-play").textContent = "\u275a\u275a Pause";
    st.timer = setInterval(() => go(st.cell + 1), SPEEDS[$("cv-speed").value]);
  };

  const rebuild = () => { makeGrid(); makeKernel(); kernelEditor(); st.selected = null; send(); };
  for (const id of ["cv-source", "cv-size", "cv-channels"]) $(id).addEventListener("change", rebuild);
  $("cv-mnist").addEventListener("change", send);
  for (const id of ["cv-f", "cv-filters"]) $(id).addEventListener("change", () => { makeKernel(); kernelEditor(); send(); });
  $("cv-preset").addEventListener("change", () => {
    $("cv-run-pick").hidden = $("cv-preset").value !== "run";
    if ($("cv-preset").value === "run") return listRuns();
    makeKernel();
    kernelEditor();
    send();
  });
  $("cv-run").addEventListener("change", fromRun);
  for (const id of ["cv-stride", "cv-padding"]) $(id).addEventListener("change", () => { st.cell = 0; send(); });
  $("cv-bias").addEventListener("input", (e) => { if (e.target.value !== "") { st.bias[st.q] = Number(e.target.value); send(); } });
  $("cv-q").addEventListener("change", (e) => { st.q = Number(e.target.value); kernelEditor(); draw(); });
  $("cv-c").addEventListener("change", (e) => { st.c = Number(e.target.value); kernelEditor(); draw(); });
  $("cv-play").addEventListener("click", play);
  $("cv-speed").addEventListener("change", () => { if (st.timer) { stop(); play(); } });
  $("cv-next").addEventListener("click", () => { stop(); go(st.cell + 1); });
  $("cv-back").addEventListener("click", () => { stop(); go(st.cell - 1); });
  $("cv-scrub").addEventListener("input", (e) => { stop(); go(Number(e.target.value)); });
  $("cv-clear").addEventListener("click", rebuild);
  $("cv-output").addEventListener("click", (e) => {
    if (!result) return;
    const at = cellAtPoint(result.shape[0], result.shape[1], e.target.clientWidth, e.target.clientHeight, e.offsetX, e.offsetY);
    if (at) { stop(); go(at[0] * result.shape[1] + at[1]); }
  });

  // Editing the input: click a cell of the grid to toggle it (and edit it exactly below); drag to draw a digit.
  const inputCell = (e) => {
    if (!result || !st.grid) return null;
    const r = result;
    const at = cellAtPoint(r.padded_input.length, r.padded_input[0].length, e.target.clientWidth, e.target.clientHeight, e.offsetX, e.offsetY);
    if (!at) return null;
    const [i, j] = [at[0] - r.pad[0], at[1] - r.pad[2]];
    return i >= 0 && j >= 0 && i < st.grid.length && j < st.grid[0].length ? [i, j] : null;
  };
  let drawing = false;
  let last = null;
  const stroke = (e) => {
    const at = inputCell(e);
    if (!at) return;
    // Paint every cell between this pointer event and the last one: a fast stroke leaves no gaps.
    const from = last ?? at;
    const n = Math.max(1, Math.abs(at[0] - from[0]), Math.abs(at[1] - from[1]));
    let plane = st.grid.map((row) => row.map((v) => v[0]));
    for (let t = 1; t <= n; t++) {
      const r = from[0] + ((at[0] - from[0]) * t) / n;
      const c = from[1] + ((at[1] - from[1]) * t) / n;
      plane = paint(plane, r, c, 1.2, e.shiftKey ? 0 : 1);
    }
    last = at;
    st.grid = plane.map((row) => row.map((v) => [v]));
    send();
  };
  $("cv-input").addEventListener("pointerdown", (e) => {
    if ($("cv-source").value === "draw") { drawing = true; last = null; stroke(e); return; }
    const at = inputCell(e);
    if (!at) return;
    st.selected = at;
    const v = st.grid[at[0]][at[1]];
    v[st.c] = v[st.c] ? 0 : 1;
    $("cv-cell").value = String(v[st.c]);
    $("cv-cell-label").textContent = `I(${at[0]}, ${at[1]}) =`;
    send();
  });
  $("cv-input").addEventListener("pointermove", (e) => { if (drawing) stroke(e); });
  window.addEventListener("pointerup", () => { drawing = false; });
  $("cv-cell").addEventListener("input", (e) => {
    if (!st.selected || e.target.value === "" || !st.grid) return;
    st.grid[st.selected[0]][st.selected[1]][st.c] = Number(e.target.value);
    send();
  });

  async function listRuns() {
    try {
      const runs = (await api.runs()).filter((r) => r.spec?.layers?.some((l) => l.type === "conv2d"));
      $("cv-run").replaceChildren(el("option", { value: "", text: runs.length ? "choose a run" : "no run with a conv layer yet: train one (e.g. the LeNet preset)" }),
        ...runs.map((r) => el("option", { value: `${r.id}:${r.spec.layers.findIndex((l) => l.type === "conv2d")}`, text: `${r.name || r.id} (${r.status})` })));
    } catch (err) {
      report(err);
    }
  }

  async function fromRun() {
    const [id, index] = $("cv-run").value.split(":");
    if (!id) return;
    try {
      const w = await api.weights({ kind: "run", id }, Number(index));
      const [f, , c, n] = w.weight_shape;
      const k = Math.min(n, 4);
      if (c !== channels() && $("cv-source").value === "grid") { $("cv-channels").value = String(Math.min(c, 3)); makeGrid(); }
      st.kernel = w.weight.map((row) => row.map((cell) => cell.map((ch) => ch.slice(0, k).map((v) => Math.round(v * 1000) / 1000))));
      st.bias = (w.bias ?? new Array(k).fill(0)).slice(0, k).map((v) => Math.round(v * 1000) / 1000);
      $("cv-f").value = String(f);
      $("cv-filters").value = String(k);
      kernelEditor();
      send();
    } catch (err) {
      if (err.status === 409) $("cv-msg").textContent = "That run has no weights yet.";
      else report(err);
    }
  }

  const load = () => { makeGrid(); makeKernel(); kernelEditor(); call.now(body()); };
  return { load, draw, hide: stop, onResult: (fn) => listeners.push(fn), result: () => result };
}
