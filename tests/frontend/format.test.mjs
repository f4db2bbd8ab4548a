// Tests for frontend/static/js/format.js: numbers, shapes, statuses, error bodies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fmtNum, fmtCount, fmtPct, fmtShape, fmtDuration, statusText, errorText } from "../../frontend/static/js/format.js";

test("numbers", () => {
  assert.equal(fmtNum(0.123456), "0.123");
  assert.equal(fmtNum(2.30258), "2.3");
  assert.equal(fmtNum(0.00001234), "1.23e-5");
  assert.equal(fmtNum(NaN), "\u2014");
  assert.equal(fmtNum(Infinity), "\u221e");
  assert.equal(fmtCount(6922), "6,922");
  assert.equal(fmtCount(235146), "235.1k");
  assert.equal(fmtCount(2500000), "2.50M");
  assert.equal(fmtPct(0.9854), "98.5%");
  assert.equal(fmtShape([28, 28, 8]), "28\u00d728\u00d78");
  assert.equal(fmtDuration(75), "1 min 15 s");
});

test("status lines carry the reason and queue position", () => {
  assert.equal(statusText({ status: "queued", position: 2 }), "Queued (position 2)");
  assert.equal(statusText({ status: "diverged", message: "loss is NaN at step 40" }), "Diverged: loss is NaN at step 40");
  assert.equal(statusText(null), "No run yet");
});

test("FastAPI error bodies become words", () => {
  assert.equal(errorText({ detail: "run 'x' not found" }), "run 'x' not found");
  assert.equal(errorText({ detail: [{ loc: ["body", "batch_size"], msg: "must be >= 1" }] }), "batch_size: must be >= 1");
  assert.equal(errorText(null, "Network error"), "Network error");
});
