// Labels that used to be cut off (issue 11): step ticks at 150k steps, "100.0%"
// beside a full bar; and the misclassified count taken from the confusion matrix.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fmtStep, fmtPct } from "../../frontend/static/js/format.js";
import { drawLineChart } from "../../frontend/static/js/render/lineChart.js";
import { drawBars } from "../../frontend/static/js/render/bars.js";

// A recording context: every fillText with its alignment and a width of 7.5 px per character.
function textCtx() {
  const texts = [];
  const ctx = new Proxy({ texts, textAlign: "left" }, {
    get(target, key) {
      if (key in target) return target[key];
      if (key === "measureText") return (s) => ({ width: String(s).length * 7.5 });
      if (key === "fillText") return (s, x, y) => texts.push({ s: String(s), x, y, align: target.textAlign });
      return () => {};
    },
    set(target, key, value) {
      target[key] = value;
      return true;
    },
  });
  return ctx;
}

const span = (t) => {
  const w = t.s.length * 7.5;
  return t.align === "right" ? [t.x - w, t.x] : t.align === "center" ? [t.x - w / 2, t.x + w / 2] : [t.x, t.x + w];
};

test("step ticks are short: 150k, 1.5M", () => {
  assert.equal(fmtStep(950), "950");
  assert.equal(fmtStep(150000), "150k");
  assert.equal(fmtStep(12500), "12.5k");
  assert.equal(fmtStep(1500000), "1.5M");
});

test("a 150k-step chart keeps every x label inside the canvas", () => {
  const ctx = textCtx();
  const points = Array.from({ length: 50 }, (_, i) => [i * 3000 + 3000, 1 / (i + 1)]);
  drawLineChart(ctx, { series: [{ label: "train", color: "#000", points }] }, { width: 320, height: 160, yMin: 0, xLabel: "step" });
  const ticks = ctx.texts.filter((t) => t.y > 100 && t.s !== "step");
  assert.ok(ticks.some((t) => t.s === "150k"), JSON.stringify(ticks));
  for (const t of ticks) {
    const [a, b] = span(t);
    assert.ok(a >= 0 && b <= 320, `${t.s} spans ${a}..${b}`);
    assert.ok(!t.s.includes("e"), t.s);
  }
});

test("per-class bars leave room for 100.0%", () => {
  const ctx = textCtx();
  drawBars(ctx, { values: [1, 0.5, 0.999] }, { width: 300, height: 90, max: 1, format: (v) => fmtPct(v) });
  const full = ctx.texts.find((t) => t.s === "100.0%");
  assert.ok(full);
  const [, end] = span(full);
  assert.ok(end <= 300, `100.0% ends at ${end}`);
});

test("the misclassified count is everything off the confusion matrix's diagonal", async () => {
  const { misclassifiedCount } = await import("../../frontend/static/js/views/evaluate.js");
  assert.equal(misclassifiedCount([[100, 150], [100, 150]]), 250);
  assert.equal(misclassifiedCount([[5, 0], [0, 5]]), 0);
  assert.equal(misclassifiedCount(undefined), 0);
});

test("the shift sweep in words: kept shifts and the smallest that changes the answer", async () => {
  const { sweepSummary } = await import("../../frontend/static/js/views/invariance.js");
  const rows = [[0.2, 0.8], [0.6, 0.4], [0.9, 0.1], [0.7, 0.3], [0.45, 0.55]];
  const text = sweepSummary([-2, -1, 0, 1, 2], rows, 0);
  assert.match(text, /stays \u201c0\u201d at 3 of 5 shifts/);
  assert.match(text, /smallest shift that changes it is \+2 px|smallest shift that changes it is -2 px/);
  assert.match(text, /from 20\.0% to 90\.0%/);
});
