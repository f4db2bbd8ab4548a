// Pure pieces of the "see the math" labs: graph layout and steps, the
// convolution window and its sum, pooling windows, shapes and broadcasting.
import { test } from "node:test";
import assert from "node:assert/strict";
import { layout, steps, stateAt, describe, costText, caretLines, partTexts } from "../../frontend/static/js/views/labs/graphModel.js";
import { presetKernel, windowProducts, sumText, poolWindow, isPadding, paint, cellAt, cellIndex, starterGrid } from "../../frontend/static/js/views/labs/convMath.js";
import { broadcastShape, denseLayer, addToRows, NOTES_X, NOTES_V, costSentence } from "../../frontend/static/js/views/labs/shapes.js";

// The server's answer for x*x + x at x = 3 (as /api/labs/graph returns it).
const GRAPH = {
  nodes: [
    { id: "n0", op: "var", name: "x", label: "x", inputs: [], value: 3, grad: 7, local: [],
      grad_parts: [{ node: "n1", slot: 0, upstream: 1, local: 3, value: 3 }, { node: "n1", slot: 1, upstream: 1, local: 3, value: 3 }, { node: "n2", slot: 1, upstream: 1, local: 1, value: 1 }] },
    { id: "n1", op: "mul", label: "\u00d7", inputs: ["n0", "n0"], value: 9, grad: 1, local: [3, 3], grad_parts: [{ node: "n2", slot: 0, upstream: 1, local: 1, value: 1 }] },
    { id: "n2", op: "add", label: "+", inputs: ["n1", "n0"], value: 12, grad: 1, local: [1, 1], grad_parts: [{ node: null, slot: null, upstream: 1, local: 1, value: 1 }] },
  ],
};

test("layout puts a node right of its inputs", () => {
  const { pos, cols } = layout(GRAPH.nodes);
  assert.equal(cols, 3);
  assert.ok(pos.n0.col < pos.n1.col && pos.n1.col < pos.n2.col);
});

test("steps: forward in order, then backward in reverse; state after p steps", () => {
  assert.deepEqual(steps(GRAPH.nodes).map((s) => `${s.phase[0]}${s.id}`), ["fn0", "fn1", "fn2", "bn2", "bn1", "bn0"]);
  const st = stateAt(GRAPH.nodes, 4);
  assert.deepEqual([...st.values], ["n0", "n1", "n2"]);
  assert.deepEqual([...st.grads], ["n2"]);
  assert.equal(st.current.id, "n2");
  assert.equal(stateAt(GRAPH.nodes, 99).p, 6);
});

test("describe spells the chain rule and the fan-out sum", () => {
  assert.match(describe(GRAPH, 2), /n1 = n0 \u00d7 n0 = 3 \u00d7 3 = 9/);
  const last = describe(GRAPH, 6);
  assert.match(last, /used 3 times/);
  assert.match(last, /from n1 \(input 1\): 1 \u00d7 3 = 3; from n1 \(input 2\): 1 \u00d7 3 = 3; from n2 \(input 2\): 1 \u00d7 1 = 1/);
  assert.match(last, /Gradient = 3 \+ 3 \+ 1 = 7/);
  assert.deepEqual(partTexts(GRAPH.nodes[2]), ["seed \u2202out/\u2202out = 1"]);
  assert.match(describe(GRAPH, 0), /^Start/);
});

test("cost text and the caret under a syntax error", () => {
  const t = costText({ inputs: 3, nodes: 7, forward_node_visits: 21 });
  assert.match(t, /3 passes \u00d7 7 nodes = 21/);
  assert.match(t, /O\(M\)/);
  assert.equal(caretLines("x + * 2", 4), "x + * 2\n    ^");
});

test("kernel presets", () => {
  assert.deepEqual(presetKernel("identity", 3), [[0, 0, 0], [0, 1, 0], [0, 0, 0]]);
  assert.deepEqual(presetKernel("vertical", 3), [[1, 0, -1], [1, 0, -1], [1, 0, -1]]);
  assert.deepEqual(presetKernel("sharpen", 3), [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]);
  const g = presetKernel("gaussian", 3).flat().reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(g - 1) < 0.01);
  assert.equal(presetKernel("outline", 3).flat().reduce((s, v) => s + v, 0), 0);
});

test("window products match a direct sum, with stride and channels", () => {
  // padded 5x5x2, kernel 3x3x2x1, stride 2, cell (1, 1)
  const padded = Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) => [i + j, i - j]));
  const kernel = Array.from({ length: 3 }, (_, m) => Array.from({ length: 3 }, (_, n) => [[m + 1], [n - 1]]));
  const w = windowProducts(padded, kernel, 2, 1, 1, 0);
  let direct = 0;
  for (let m = 0; m < 3; m++) for (let n = 0; n < 3; n++) direct += (2 + m + 2 + n) * (m + 1) + ((2 + m) - (2 + n)) * (n - 1);
  assert.equal(w.sum, direct);
  assert.equal(w.products.length, 18);
  assert.deepEqual([w.products[0].i, w.products[0].j], [2, 2]);
  const lines = sumText(w, 0.5, 1, 1, 2, 2);
  assert.match(lines[0], /^V\(1, 1\) = \u03a3c \u03a3m \u03a3n I\(2\u00b71\+m, 2\u00b71\+n, c\) K\(m, n, c\) \+ b/);
  assert.match(lines.at(-1), new RegExp(`sum ${direct} \\+ b 0.5 = ${direct + 0.5}$`));
});

test("pooling windows: max ignores -inf padding, avg divides by real inputs", () => {
  const padded = [[[1], [3], [null]], [[2], [0], [null]]];
  assert.equal(poolWindow(padded, 2, 2, 0, 0, 0, "max").result, 3);
  const edge = poolWindow(padded, 2, 1, 0, 1, 0, "avg");
  assert.equal(edge.result, 1.5);
  assert.equal(edge.text, "(3 + 0) / 2 = 1.5");
});

test("padding cells, cell order, painting", () => {
  assert.equal(isPadding(0, 3, 4, 4, [1, 1, 0, 1]), true);
  assert.equal(isPadding(1, 3, 4, 4, [1, 1, 0, 1]), false);
  assert.deepEqual(cellAt(7, 3), [2, 1]);
  assert.equal(cellIndex(2, 1, 3), 7);
  const g = paint(starterGrid(5, 5).map((r) => r.map(() => 0)), 2, 2);
  assert.equal(g[2][2], 1);
  assert.equal(g[0][0], 0);
});

test("broadcasting and the dense layer's shapes", () => {
  assert.deepEqual(broadcastShape([3, 5], [3, 1]).shape, [3, 5]);
  assert.deepEqual(broadcastShape([4, 3], [3]).shape, [4, 3]);
  assert.equal(broadcastShape([4, 3], [4]).error, true);
  const ok = denseLayer({ n: 4, k: 3, B: 5 });
  assert.deepEqual(ok.Y, [3, 5]);
  assert.equal(ok.multiplyAdds, 60);
  assert.match(costSentence(ok), /3\u00b74\u00b75 = 60 multiply-adds/);
  assert.match(denseLayer({ n: 4, k: 3, B: 5, nX: 2 }).problem, /4 \u2260 2/);
  assert.match(denseLayer({ n: 4, k: 3, B: 5, kb: 2 }).problem, /rows \(3 and 2\) differ/);
  assert.deepEqual(denseLayer({ n: 4, k: 3, B: 5, kb: 1 }).Y, [3, 5]);
  assert.deepEqual(addToRows(NOTES_X, NOTES_V).y, [[2, 2, 5], [5, 5, 8], [8, 8, 11], [11, 11, 14]]);
});

// A 2-D context that records fillText calls and accepts every other call.
function recordingCtx() {
  const texts = [];
  const target = { texts, measureText: (t) => ({ width: t.length * 6 }), fillText: (t) => texts.push(t) };
  return new Proxy(target, { get: (o, k) => (k in o ? o[k] : () => {}), set: (o, k, v) => { o[k] = v; return true; } });
}

test("graph renderer writes the fan-out products on the edges of the current backward step", async () => {
  const { drawCompGraph, boxCentres, graphHeight } = await import("../../frontend/static/js/render/compGraph.js");
  const shape = layout(GRAPH.nodes);
  const at = boxCentres(shape, 900, graphHeight(shape));
  assert.ok(at.n0.x < at.n1.x && at.n1.x < at.n2.x);
  const ctx = recordingCtx();
  drawCompGraph(ctx, { nodes: GRAPH.nodes, layout: shape, state: stateAt(GRAPH.nodes, 6), format: String }, { width: 900, height: graphHeight(shape) });
  assert.deepEqual(ctx.texts.filter((t) => t.includes("=")).sort(), ["1\u00d71=1", "1\u00d73=3", "1\u00d73=3"]);
  assert.ok(ctx.texts.includes("grad 7"));
});

test("grid renderer geometry and hit testing", async () => {
  const { gridGeometry, cellAtPoint, drawCells } = await import("../../frontend/static/js/render/convGrid.js");
  assert.deepEqual(gridGeometry(5, 5, 300, 300), { cell: 60, x0: 0, y0: 0 });
  assert.deepEqual(cellAtPoint(5, 5, 300, 300, 130, 250), [4, 2]);
  assert.equal(cellAtPoint(5, 5, 300, 300, 310, 10), null);
  const ctx = recordingCtx();
  drawCells(ctx, { values: [[0, null], [1.5, -2]], isPad: (i, j) => j === 1 && i === 0 }, { width: 100, height: 100 });
  assert.deepEqual(ctx.texts, ["0", "\u2212\u221e", "1.5", "-2"]);
});

test("shapes renderer labels every array, and no Y on a mismatch", async () => {
  const { drawDenseShapes } = await import("../../frontend/static/js/render/shapeBlocks.js");
  const ctx = recordingCtx();
  drawDenseShapes(ctx, denseLayer({ n: 4, k: 3, B: 5 }), { width: 600, height: 250 });
  assert.ok(["W", "X", "b", "Y", "3\u00d71 \u2192 3\u00d75"].every((t) => ctx.texts.includes(t)));
  const bad = recordingCtx();
  drawDenseShapes(bad, denseLayer({ n: 4, k: 3, B: 5, nX: 5 }), { width: 600, height: 250 });
  assert.ok(!bad.texts.includes("Y") && bad.texts.includes("shapes do not fit"));
});
