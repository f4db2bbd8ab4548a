// The "Wrongly matched" card's numbers from the server's threshold table.
import test from "node:test";
import assert from "node:assert/strict";
import { atThreshold, curves, mostFalsePositives, readout } from "../../frontend/static/js/thresholds.js";

const TABLE = {
  thresholds: [0, 0.5, 0.9],
  false_positives: [[4, 2, 0], [10, 3, 1]],
  true_positives: [[50, 45, 30], [40, 40, 20]],
  positives: [60, 40],
  negatives: [40, 60],
};

test("the class with the most false positives when every prediction counts", () => {
  assert.equal(mostFalsePositives(TABLE), 1);
});

test("rates are counted over the other classes' samples, found over the class's own", () => {
  const r = atThreshold(TABLE, 1, 1);
  assert.deepEqual([r.threshold, r.fp, r.tp, r.missed], [0.5, 3, 40, 0]);
  assert.equal(r.fpRate, 3 / 60);
  assert.equal(r.found, 1);
});

test("curves: wrongly called and missed, as counts over the thresholds", () => {
  const c = curves(TABLE, 0);
  assert.deepEqual(c.falsePositives, [[0, 4], [0.5, 2], [0.9, 0]]);
  assert.deepEqual(c.missed, [[0, 10], [0.5, 15], [0.9, 30]]);
});

test("the readout says the counts and nothing more", () => {
  assert.equal(readout(TABLE, 0, 2),
    "Counting a prediction only when the model gives it at least 0.9: 0 of the 40 test images that are not a 0 are called 0 (0.0% false positives), and 30 of the 60 real 0s are found (50.0%; 30 missed).");
  assert.match(readout(TABLE, 1, 0), /^Counting every prediction \(threshold 0\): 10 of the 60/);
});
