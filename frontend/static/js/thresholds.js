/**
 * False positives at a confidence threshold (pure, tested): what the Evaluate
 * view's "Wrongly matched" card reads from the server's threshold table
 * (engine/metrics.py threshold_counts). For a class c taken as "a match":
 * false positives are test samples of other classes called c, true positives
 * real c's called c, each counted only when the model's confidence in that
 * prediction is at least the threshold.
 */

/** The class with the most false positives when every prediction counts (threshold 0). */
export function mostFalsePositives(table) {
  let best = 0;
  table.false_positives.forEach((row, c) => {
    if (row[0] > table.false_positives[best][0]) best = c;
  });
  return best;
}

/** The numbers of class c at threshold index i. */
export function atThreshold(table, c, i) {
  const fp = table.false_positives[c][i];
  const tp = table.true_positives[c][i];
  const negatives = table.negatives[c];
  const positives = table.positives[c];
  return {
    threshold: table.thresholds[i],
    fp, tp, negatives, positives,
    fpRate: negatives ? fp / negatives : null,
    found: positives ? tp / positives : null,
    missed: positives - tp,
  };
}

/** [[threshold, count]] lines over all thresholds: the images wrongly called c
 * (false positives) and the real c's not called c (missed): the trade a threshold makes. */
export function curves(table, c) {
  const rows = table.thresholds.map((_, i) => atThreshold(table, c, i));
  return {
    falsePositives: rows.map((r) => [r.threshold, r.fp]),
    missed: rows.map((r) => [r.threshold, r.missed]),
  };
}

// One decimal, two where one would round a few to 0.0% or nearly all to 100.0%.
const pct = (x) => (x === null ? "\u2014" : `${(x * 100).toFixed((x > 0 && x < 0.001) || (x < 1 && x > 0.999) ? 2 : 1)}%`);

/** The readout under the chart: only what the counts say. */
export function readout(table, c, i, name = (k) => `${k}`) {
  const r = atThreshold(table, c, i);
  const when = r.threshold > 0 ? `Counting a prediction only when the model gives it at least ${r.threshold}` : "Counting every prediction (threshold 0)";
  return `${when}: ${r.fp.toLocaleString("en-US")} of the ${r.negatives.toLocaleString("en-US")} test images that are not a ${name(c)} are called ${name(c)} `
    + `(${pct(r.fpRate)} false positives), and ${r.tp.toLocaleString("en-US")} of the ${r.positives.toLocaleString("en-US")} real ${name(c)}s are found `
    + `(${pct(r.found)}; ${r.missed.toLocaleString("en-US")} missed).`;
}
