/**
 * Axis arithmetic for the hand-drawn charts: extents, linear and log scales,
 * "nice" tick values and downsampling of long series (pure, tested).
 */

/** [min, max] of the finite values, or null when there are none. */
export function extent(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) return null;
  if (lo === hi) {
    // A flat series still needs a visible band around it.
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - pad, hi + pad];
  }
  return [lo, hi];
}

/** Maps domain -> range linearly; `.invert` maps back. */
export function linearScale([d0, d1], [r0, r1]) {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = (x) => r0 + (x - d0) * k;
  f.invert = (y) => (k === 0 ? d0 : d0 + (y - r0) / k);
  return f;
}

/** Log10 scale for quantities spanning decades (gradient norms); clamps at `floor`. */
export function logScale([d0, d1], [r0, r1], floor = 1e-12) {
  const l0 = Math.log10(Math.max(d0, floor));
  const l1 = Math.log10(Math.max(d1, floor));
  const lin = linearScale([l0, l1], [r0, r1]);
  const f = (x) => lin(Math.log10(Math.max(x, floor)));
  f.invert = (y) => 10 ** lin.invert(y);
  return f;
}

/** Tick values at 1, 2 or 5 times a power of ten, about `count` of them. */
export function niceTicks(lo, hi, count = 5) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const start = Math.ceil(lo / step - 1e-9) * step;
  const ticks = [];
  for (let t = start; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Powers of ten between lo and hi, for a log axis. */
export function logTicks(lo, hi) {
  const a = Math.floor(Math.log10(Math.max(lo, 1e-12)));
  const b = Math.ceil(Math.log10(Math.max(hi, 1e-12)));
  const ticks = [];
  for (let e = a; e <= b; e += 1) ticks.push(10 ** e);
  return ticks;
}

/**
 * Keeps at most `max` points of [x, y] pairs: a stride plus the last point, so a
 * long run still draws in constant time and the newest value is always shown.
 */
export function downsample(points, max) {
  if (points.length <= max) return points;
  const stride = Math.ceil(points.length / max);
  const out = [];
  for (let i = 0; i < points.length; i += stride) out.push(points[i]);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]);
  return out;
}

/** Exponential moving average of the y values, like TensorBoard's smoothing slider. */
export function smooth(points, alpha) {
  if (!alpha) return points;
  let m = null;
  return points.map(([x, y]) => {
    if (!Number.isFinite(y)) return [x, y];
    m = m === null ? y : alpha * m + (1 - alpha) * y;
    return [x, m];
  });
}
