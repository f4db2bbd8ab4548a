/**
 * A run's metric history, built from websocket events and /metrics pages
 * (pure, tested). Views read these series; nothing here touches the DOM.
 *
 * Each update returns a new history object (arrays are copied on write), so a
 * subscriber can tell by identity that a chart needs redrawing.
 */

const MAX_SNAPSHOTS = 40; // enough for the histogram ridgeline, bounded memory

/**
 * Keeps a list under `max` items by dropping every second one (the first and
 * the last stay), so what is kept still spans the whole run, evenly.
 */
export function thinEvenly(list, max) {
  let out = list;
  while (out.length > max) out = out.filter((_, i) => i % 2 === 0 || i === out.length - 1);
  return out;
}

const byStep = (a, b) => a[0] - b[0];

export function emptyHistory() {
  return {
    steps: [], // [step, loss, accuracy]
    epochs: [], // {epoch, step, train, val}
    lr: [], // [step, lr]
    gradNorms: {}, // layer index -> [[step, norm]]
    dead: {}, // layer index -> [[step, fraction]]
    snapshots: [], // last MAX_SNAPSHOTS snapshot events
    layerTypes: {}, // layer index -> type
    units: null, // {step, views, decision}: the latest neuron views (1-D and 2-D runs)
    pauses: [], // steps at which the run was paused (seen live)
    lastStep: 0,
  };
}

// A streamed step event aggregates several steps: its means describe them all,
// `loss` only the last one, so the means make the truer curve.
const row = (p) => [p.step, p.loss_mean ?? p.loss, p.accuracy_mean ?? p.accuracy];

function appendStep(h, ev) {
  const { step, lr } = ev;
  if (step <= h.lastStep && h.steps.length) return h; // replays after reconnect
  const next = { ...h, steps: [...h.steps, row(ev)], lastStep: step };
  if (lr !== undefined && (!h.lr.length || h.lr[h.lr.length - 1][1] !== lr)) next.lr = [...h.lr, [step, lr]];
  return next;
}

function appendEpoch(h, ev) {
  const rest = h.epochs.filter((e) => e.epoch !== ev.epoch);
  return { ...h, epochs: [...rest, { epoch: ev.epoch, step: ev.step, train: ev.train || null, val: ev.val || null }] };
}

function appendSnapshot(h, evFull) {
  // The neuron views and decision grid are big and only the latest is drawn: kept once, not per snapshot.
  const { units, decision, ...ev } = evFull;
  const latest = units && (!h.units || ev.step >= h.units.step) ? { units: { step: ev.step, views: units, decision: decision || null } } : {};
  const gradNorms = { ...h.gradNorms };
  const dead = { ...h.dead };
  const layerTypes = { ...h.layerTypes };
  for (const layer of ev.layers || []) {
    layerTypes[layer.index] = layer.type;
    if (Number.isFinite(layer.grad_norm)) gradNorms[layer.index] = [...(gradNorms[layer.index] || []), [ev.step, layer.grad_norm]];
    if (Number.isFinite(layer.dead_fraction)) dead[layer.index] = [...(dead[layer.index] || []), [ev.step, layer.dead_fraction]];
  }
  const snapshots = thinEvenly([...h.snapshots, ev], MAX_SNAPSHOTS);
  return { ...h, gradNorms, dead, layerTypes, snapshots, ...latest };
}

/** A pause seen live, at the last step: the charts mark it. */
export function markPause(h) {
  if (h.pauses.at(-1) === h.lastStep) return h;
  return { ...h, pauses: [...h.pauses, h.lastStep] };
}

/**
 * Steps where the learning rate was changed by hand ([step, lr] pairs): every
 * change of a constant-schedule run; for a scheduled run the schedule's own
 * changes are not marks, so none (a cosine schedule changes it every step).
 */
export function lrChanges(h, schedule = "constant") {
  if (schedule && schedule !== "constant") return [];
  return h.lr.slice(1);
}

function mergeSeries(mine, theirs) {
  const m = new Map((mine || []).map((p) => [p[0], p]));
  for (const p of theirs) if (!m.has(p[0])) m.set(p[0], p);
  return [...m.values()].sort(byStep);
}

/**
 * Merges stored snapshot summaries (GET /metrics?kind=snapshot: the shape of
 * the streamed snapshot event) with the snapshots that came live; keyed by
 * step, sorted, so opening a run mid-way or after it ended shows all of them.
 */
export function mergeSnapshots(h, points) {
  if (!points.length) return h;
  const gradNorms = { ...h.gradNorms };
  const dead = { ...h.dead };
  const layerTypes = { ...h.layerTypes };
  const grads = {};
  const deads = {};
  for (const snap of points) {
    for (const layer of snap.layers || []) {
      layerTypes[layer.index] ??= layer.type;
      if (Number.isFinite(layer.grad_norm)) (grads[layer.index] ||= []).push([snap.step, layer.grad_norm]);
      if (Number.isFinite(layer.dead_fraction)) (deads[layer.index] ||= []).push([snap.step, layer.dead_fraction]);
    }
  }
  for (const [i, pts] of Object.entries(grads)) gradNorms[i] = mergeSeries(gradNorms[i], pts);
  for (const [i, pts] of Object.entries(deads)) dead[i] = mergeSeries(dead[i], pts);
  const snaps = new Map(h.snapshots.map((s) => [s.step, s]));
  for (const s of points) if (!snaps.has(s.step)) snaps.set(s.step, s);
  const snapshots = thinEvenly([...snaps.values()].sort((a, b) => a.step - b.step), MAX_SNAPSHOTS);
  return { ...h, gradNorms, dead, layerTypes, snapshots };
}

/** Folds one websocket event into the history; unknown types leave it as is. */
export function applyEvent(h, ev) {
  switch (ev?.type) {
    case "step":
      return appendStep(h, ev);
    case "epoch":
      return appendEpoch(h, ev);
    case "snapshot":
      return appendSnapshot(h, ev);
    default:
      return h;
  }
}

/** Folds a whole page of /metrics points (kind "step" or "epoch"). */
export function applyMetrics(h, kind, points) {
  let out = h;
  for (const p of points) out = kind === "epoch" ? appendEpoch(out, p) : appendStep(out, p);
  return out;
}

/**
 * Merges a page of /metrics step points into the history: the websocket sends
 * the latest state to a slow client, so steps it skipped are filled in here.
 * Points are keyed by step; the result is sorted.
 */
export function mergeSteps(h, points) {
  const byStep = new Map(h.steps.map((r) => [r[0], r]));
  for (const p of points) if (!byStep.has(p.step)) byStep.set(p.step, row(p));
  const steps = [...byStep.values()].sort((a, b) => a[0] - b[0]);
  const lastStep = steps.length ? Math.max(h.lastStep, steps[steps.length - 1][0]) : h.lastStep;
  // The skipped steps may hold the step where the learning rate changed: rebuild its change points.
  const lrAt = new Map(h.lr);
  for (const p of points) if (Number.isFinite(p.lr) && !lrAt.has(p.step)) lrAt.set(p.step, p.lr);
  const lr = [];
  for (const [step, v] of [...lrAt].sort((a, b) => a[0] - b[0])) if (!lr.length || lr[lr.length - 1][1] !== v) lr.push([step, v]);
  return { ...h, steps, lastStep, lr };
}

/** True when the step series has a hole wider than `gap` steps (events were skipped). */
export function hasGap(h, gap) {
  for (let i = 1; i < h.steps.length; i += 1) if (h.steps[i][0] - h.steps[i - 1][0] > gap) return true;
  return false;
}

/** Chart series for loss and accuracy: per-step training curve plus per-epoch val. */
export function curveSeries(h, metric) {
  const col = metric === "loss" ? 1 : 2;
  return {
    train: h.steps.filter((r) => Number.isFinite(r[col])).map((r) => [r[0], r[col]]),
    val: h.epochs.filter((e) => e.val && Number.isFinite(e.val[metric])).map((e) => [e.step, e.val[metric]]),
  };
}

/** The latest weight histogram of every layer with weights, oldest snapshot first. */
export function histogramsByLayer(h) {
  const out = {};
  for (const snap of h.snapshots) {
    for (const layer of snap.layers || []) {
      const hist = layer.weight?.hist;
      if (!hist) continue;
      (out[layer.index] ||= []).push({ step: snap.step, counts: hist.counts, edges: hist.edges });
    }
  }
  return out;
}
