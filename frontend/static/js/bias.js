/**
 * Biased training data (pure, tested): the Build view's per-class keep fractions
 * (config.class_fractions, {"8": 0.01}) -> the run request's
 * dataset_params.class_fractions, and the Evaluate view's "trained on 1%" tags.
 * Only the training split is thinned (docs/api.md), so the test bars show the gap.
 */

/** "1%", "0.5%", "25%": a keep fraction as the slider and the tags say it. */
export function fmtKeep(fraction) {
  const pct = fraction * 100;
  return `${pct >= 1 ? Math.round(pct) : Number(pct.toPrecision(1))}%`;
}

/** The entries that fit a classification set of `info` (classes 0..n-1, fraction in (0, 1)). */
export function fractionsFor(fractions, info) {
  const n = info?.num_classes || 0;
  const out = {};
  for (const [c, f] of Object.entries(fractions || {})) {
    const k = Number(c);
    if (Number.isInteger(k) && k >= 0 && k < n && Number.isFinite(f) && f > 0 && f < 1) out[String(k)] = f;
  }
  return out;
}

/** A copy of `fractions` with class `c` kept at `fraction` (1 or more: the class is left whole). */
export function withFraction(fractions, c, fraction) {
  const out = { ...(fractions || {}) };
  if (fraction >= 1) delete out[String(c)];
  else out[String(c)] = fraction;
  return out;
}

/** A run record -> {class index: "trained on 1%"} for the per-class bars (empty when unbiased). */
export function trainedTags(run) {
  const out = {};
  for (const [c, f] of Object.entries(run?.dataset_params?.class_fractions || {})) {
    if (Number.isFinite(f) && f < 1) out[Number(c)] = `trained on ${fmtKeep(f)}`;
  }
  return out;
}
