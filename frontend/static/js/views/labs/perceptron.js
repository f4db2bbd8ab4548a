/**
 * Perceptron lab: the server runs the engine's perceptron trainer and returns
 * every update; the page replays them (step, play, end) moving the line
 * w.x + b = 0 and spelling out the rule w += lr (a - f(x)) x with the numbers.
 * With 3 or 4 classes the plane shows the argmax regions of W and the readout
 * the two rows a mistake changes (w_true += lr x, w_predicted -= lr x).
 */

import { fitCanvas } from "../../dom.js";
import { drawPlane } from "../../render/labPlane.js";
import { describeStep, describeMultiStep, describeEnd, advance } from "../../labText.js";
import { labCaller } from "./request.js";

const $ = (id) => document.getElementById(id);
const RANGE = [-6, 6];
const PLAY_MS = 120;

export function mountPerceptron({ report }) {
  let result = null;
  let position = 0; // steps applied so far
  let timer = null;

  const stop = () => {
    clearInterval(timer);
    timer = null;
    $("perc-play").textContent = "\u25b6 Play";
  };

  function draw() {
    if (!result) return;
    const steps = result.steps;
    const last = position > 0 ? steps[position - 1] : null;
    const k = result.classes ?? 2;
    const zero = k > 2 ? { w: Array.from({ length: k }, () => [0, 0]), b: Array(k).fill(0) } : { w: [0, 0], b: 0 };
    const shown = last ? { w: last.w, b: last.b } : zero;
    const fc = fitCanvas($("perc-plane"));
    if (fc) {
      drawPlane(fc.ctx, {
        points: result.points, labels: result.labels, classes: k, ...shown,
        current: last ? last.index : null, wrong: last ? last.updated : false,
      }, { ...fc, range: RANGE });
    }
    const start = k > 2 ? `W = 0, b = 0: every score ties, so argmax calls every point 0. Press Step.` : "w = (0, 0), b = 0: every point is called 0. Press Step.";
    $("perc-step").textContent = last ? (k > 2 ? describeMultiStep : describeStep)(last, result.lr) : start;
    $("perc-pos").textContent = `update ${position} / ${steps.length}`;
    $("perc-end").textContent = position === steps.length ? describeEnd(result) : "";
  }

  const call = labCaller("perceptron", {
    report,
    onResult: (r) => {
      stop();
      result = r;
      position = 0;
      draw();
    },
  });
  const load = () => {
    const classes = Number($("perc-classes").value);
    // XOR is a two-class set: with more classes the select offers only the blobs
    $("perc-data").querySelector('option[value="xor"]').disabled = classes > 2;
    if (classes > 2 && $("perc-data").value === "xor") $("perc-data").value = "separable";
    call.now({ dataset: $("perc-data").value, classes, lr: Number($("perc-lr").value), seed: Number($("perc-seed").value), n_samples: 30, max_epochs: 60 });
  };

  const move = (n) => {
    if (!result) return;
    position = advance(position, n, result.steps.length);
    if (position === result.steps.length) stop();
    draw();
  };
  $("perc-next").addEventListener("click", () => {
    stop();
    move(1);
  });
  $("perc-epoch").addEventListener("click", () => {
    stop();
    if (result) move(result.points.length - (position % result.points.length) || result.points.length);
  });
  $("perc-reset").addEventListener("click", () => {
    stop();
    position = 0;
    draw();
  });
  $("perc-last").addEventListener("click", () => {
    stop();
    if (result) move(result.steps.length);
  });
  $("perc-play").addEventListener("click", () => {
    if (timer) return stop();
    if (result && position === result.steps.length) position = 0;
    $("perc-play").textContent = "\u275a\u275a Pause";
    timer = setInterval(() => move(1), PLAY_MS);
    return undefined;
  });
  for (const id of ["perc-classes", "perc-data", "perc-lr", "perc-seed"]) $(id).addEventListener("change", load);
  $("perc-new").addEventListener("click", () => {
    $("perc-seed").value = String(Number($("perc-seed").value) + 1);
    load();
  });
  return { load, draw, hide: stop };
}
