/**
 * Shapes and broadcasting lab: the student sets n, k and B (and may give X
 * or b a wrong size); the page draws Y = W X + b with every shape labelled,
 * b's broadcast as the repeated column, the cost in multiply-adds, a
 * mismatch in words, and the notes' example of adding a vector to each row.
 * Pure page arithmetic (views/labs/shapes.js): no server call.
 */

import { fitCanvas } from "../../dom.js";
import { drawDenseShapes } from "../../render/shapeBlocks.js";
import { denseLayer, costSentence, addToRows, NOTES_X, NOTES_V } from "./shapes.js";
import { bindOutput } from "./request.js";

const $ = (id) => document.getElementById(id);
const matrix = (rows) => rows.map((r) => `[${r.map((v) => String(v).padStart(3)).join("")} ]`).join("\n");

export function mountShapesLab() {
  for (const id of ["sh-n", "sh-k", "sh-b"]) bindOutput($(id), $(`${id}-out`));
  const read = () => {
    const n = Number($("sh-n").value);
    const k = Number($("sh-k").value);
    return { n, k, B: Number($("sh-b").value), nX: n + Number($("sh-xbad").value) < 1 ? n + 1 : n + Number($("sh-xbad").value), kb: $("sh-bbad").checked ? k + 1 : k };
  };

  function draw() {
    const layer = denseLayer(read());
    const fc = fitCanvas($("sh-canvas"));
    if (fc) drawDenseShapes(fc.ctx, layer, fc);
    $("sh-text").textContent = layer.problem ?? costSentence(layer);
    $("sh-text").classList.toggle("bad", Boolean(layer.problem));
  }

  const y = addToRows(NOTES_X, NOTES_V).y;
  $("sh-notes").textContent = `x (4\u00d73)\n${matrix(NOTES_X)}\n\nv (3,) = [${NOTES_V.join(", ")}]: shapes (4, 3) and (3,) line up at the right,\n`
    + `so v is reused for each of the 4 rows\n\ny = x + v (4\u00d73)\n${matrix(y)}`;

  for (const id of ["sh-n", "sh-k", "sh-b", "sh-xbad", "sh-bbad"]) $(id).addEventListener("input", draw);
  return { load: draw, draw };
}
