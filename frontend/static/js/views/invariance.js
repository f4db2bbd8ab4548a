/**
 * "Move the digit" on the Draw view: the drawing shifted, turned or scaled on
 * the server, the transformed input's prediction beside the original's, the
 * sweep of each model's confidence over sideways shifts (a second model side
 * by side, e.g. a CNN and an MLP), in words what the sweep shows, and the
 * first conv layer's feature maps of the drawing and of the transformed digit
 * (equivariance: they shift with it).
 */

import { api } from "../api.js";
import { fitCanvas, debounce } from "../dom.js";
import { drawSweep } from "../render/sweep.js";
import { fmtPct } from "../format.js";
import { pixelCanvas, drawSeen } from "./pixels.js";

const $ = (id) => document.getElementById(id);

const SWEEP = [-6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6];
const MAX_SHIFT = 10;
const IDENTITY = { dx: 0, dy: 0, rotate: 0, scale: 1 };

/** The controls' transform as the predict request's `transform` object. */
const asRequest = (tf) => ({ shift: [tf.dx, tf.dy], rotate: tf.rotate, scale: tf.scale });

/** What the shift sweep shows, in words: the shifts at which the answer stays `cls`. */
export function sweepSummary(shifts, rows, cls) {
  const argmax = (row) => row.indexOf(Math.max(...row));
  const kept = shifts.filter((_, i) => argmax(rows[i]) === cls);
  const conf = rows.map((row) => row[cls]);
  const changed = shifts.map((dx, i) => [dx, argmax(rows[i])]).filter(([, k]) => k !== cls);
  const sign = (dx) => (dx > 0 ? `+${dx}` : `${dx}`);
  const nearest = changed.sort((a, b) => Math.abs(a[0]) - Math.abs(b[0]))[0];
  return `The answer stays \u201c${cls}\u201d at ${kept.length} of ${shifts.length} shifts`
    + (nearest ? `; the smallest shift that changes it is ${sign(nearest[0])} px (to \u201c${nearest[1]}\u201d)` : "")
    + `. Confidence in \u201c${cls}\u201d ranges from ${fmtPct(Math.min(...conf))} to ${fmtPct(Math.max(...conf))}.`;
}

/** `drawingId()` numbers the pad's drawings: an answer is shown only for the drawing it was asked about. */
export function mountInvariance({ store, report, pad, target, drawingId }) {
  // The spec of a run or imported model, to know whether it has conv layers.
  function targetSpec(t) {
    const s = store.get();
    if (!t) return null;
    if (t.kind === "model") return s.models.find((mm) => mm.id === t.id)?.spec || null;
    return (s.run?.id === t.id ? s.run : s.runs.find((r) => r.id === t.id))?.spec || null;
  }
  const compareTarget = () => {
    const [kind, id] = $("inv-compare").value.split(":");
    return id ? { kind, id } : null;
  };

  // --- Move the digit ---------------------------------------------------------
  let tf = { ...IDENTITY };
  let moved = null; // {probabilities, prediction, input, sweep, tf}
  let invController = null;

  async function invariance() {
    const t = target();
    if (!t || pad.isEmpty()) {
      moved = null;
      renderInvariance(store.get());
      return;
    }
    if (invController) invController.abort();
    invController = new AbortController();
    const asked = { ...tf };
    const askedFor = drawingId();
    // One call: the current transform first, then the sideways sweep of the drawing as is.
    const transforms = [asRequest(asked), ...SWEEP.map((dx) => ({ shift: [dx, 0] }))];
    const other = compareTarget();
    const signal = invController.signal;
    try {
      const blob = await pad.toBlob();
      const hasConv = (targetSpec(t)?.layers || []).some((l) => l.type === "conv2d");
      const [p, q, act] = await Promise.all([
        api.predictImage(t, blob, signal, transforms),
        other ? api.predictImage(other, blob, signal, transforms.slice(1)) : null,
        // the transformed digit's feature maps, beside the drawing's (equivariance)
        hasConv ? api.activationsImage(t, blob, signal, asRequest(asked)) : null,
      ]);
      if (!p) return;
      const probs = p.probabilities;
      moved = {
        probabilities: probs[0], prediction: p.predictions[0], input: p.input, sweep: probs.slice(1), tf: asked, drawing: askedFor,
        compare: q ? { sweep: q.probabilities, predictions: q.predictions, label: $("inv-compare").selectedOptions[0]?.text || "" } : null,
        act,
      };
      renderInvariance(store.get());
    } catch (err) {
      if (err.name !== "AbortError") report(err);
    }
  }
  const invarianceSoon = debounce(invariance, 120);

  function setTf(patch) {
    tf = { ...tf, ...patch };
    tf.dx = Math.max(-MAX_SHIFT, Math.min(MAX_SHIFT, tf.dx));
    tf.dy = Math.max(-MAX_SHIFT, Math.min(MAX_SHIFT, tf.dy));
    $("inv-shift").textContent = `shift ${tf.dx}, ${tf.dy} px (right, down)`;
    $("inv-rotate").value = String(tf.rotate);
    $("inv-scale").value = String(tf.scale);
    $("inv-rotate-out").textContent = `${tf.rotate}\u00b0`;
    $("inv-scale-out").textContent = `${Number(tf.scale).toFixed(2)}\u00d7`;
    invarianceSoon();
  }
  for (const [id, dx, dy] of [["inv-left", -1, 0], ["inv-right", 1, 0], ["inv-up", 0, -1], ["inv-down", 0, 1]]) {
    $(id).addEventListener("click", () => setTf({ dx: tf.dx + dx, dy: tf.dy + dy }));
  }
  $("inv-rotate").addEventListener("input", (e) => setTf({ rotate: Number(e.target.value) }));
  $("inv-scale").addEventListener("input", (e) => setTf({ scale: Number(e.target.value) }));
  $("inv-reset").addEventListener("click", () => setTf({ ...IDENTITY }));
  $("inv-compare").addEventListener("change", () => invarianceSoon());

  function renderInvariance(s) {
    const p = s.prediction;
    drawSeen($("inv-original"), p?.input);
    $("inv-original-cap").textContent = p ? `as drawn: ${p.prediction} (${fmtPct(p.probabilities[p.prediction])})` : "as drawn";
    // An answer for an earlier drawing (the first stroke of a two-stroke digit) is not shown.
    const m = p && moved?.drawing === drawingId() ? moved : null;
    drawSeen($("inv-moved"), m?.input);
    // What the model saw, for tests and curious readers.
    $("inv-moved").dataset.shift = m ? `${m.tf.dx},${m.tf.dy}` : "";
    const cap = $("inv-moved-cap");
    cap.textContent = m ? `transformed: ${m.prediction} (${fmtPct(m.probabilities[m.prediction])})` : "transformed";
    cap.classList.toggle("bad", Boolean(m && p && m.prediction !== p.prediction));
    const cls = p ? p.prediction : null;
    $("inv-sweep-class").textContent = cls === null ? "the predicted class" : `\u201c${cls}\u201d`;
    $("inv-readout").textContent = m && cls !== null ? sweepSummary(SWEEP, m.sweep, cls) : "";
    // The second model keeps its own answer for the drawing as is (shift 0).
    const c = m?.compare;
    const cCls = c ? c.predictions[SWEEP.indexOf(0)] : null;
    if (c) $("inv-readout").textContent += ` ${c.label}: ${sweepSummary(SWEEP, c.sweep, cCls)}`;
    const f = fitCanvas($("inv-sweep"));
    if (f) {
      const values = m && cls !== null ? m.sweep.map((row) => row[cls]) : [];
      const compare = c ? { values: c.sweep.map((row) => row[cCls]), label: `${c.label}: \u201c${cCls}\u201d`, mainLabel: `${$("draw-target").selectedOptions[0]?.text || ""}: \u201c${cls}\u201d` } : null;
      drawSweep(f.ctx, { shifts: SWEEP, values, current: m && m.tf.dy === 0 ? m.tf.dx : null, compare }, f);
      $("inv-sweep").dataset.series = String(compare ? 2 : values.length ? 1 : 0);
    }
    renderMaps(s, m);
  }

  // The first conv layer's feature maps for the drawing and for the transformed digit.
  function renderMaps(s, m) {
    const box = $("inv-maps");
    const conv = (act) => (act?.layers || []).find((l) => l.type === "conv2d" && l.maps);
    const a = conv(s.activations);
    const b = conv(m?.act);
    box.hidden = !(a && b);
    if (box.hidden) return;
    const cols = a.maps.length <= 8 ? 4 : 8;
    const opts = { colormap: "gray", normalize: "global", gap: 1, cols };
    $("inv-maps-title").textContent = `Feature maps of layer ${a.index} (conv2d)`;
    $("inv-maps-original").replaceChildren(pixelCanvas(a.maps, opts, `feature maps of the drawing, layer ${a.index}`, 300));
    $("inv-maps-moved").replaceChildren(pixelCanvas(b.maps, opts, `feature maps of the transformed digit, layer ${a.index}`, 300));
    $("inv-maps-moved-cap").textContent = `shifted ${m.tf.dx}, ${m.tf.dy} px${m.tf.rotate ? `, turned ${m.tf.rotate}\u00b0` : ""}${m.tf.scale !== 1 ? `, scaled ${m.tf.scale}\u00d7` : ""}`;
    $("inv-maps").dataset.shift = `${m.tf.dx},${m.tf.dy}`;
  }

  return {
    run: invariance,
    render: renderInvariance,
    clear() {
      if (invController) invController.abort();
      moved = null;
    },
  };
}
