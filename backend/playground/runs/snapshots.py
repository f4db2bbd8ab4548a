"""Snapshot history: which weight snapshots a run keeps, and in what form.

Snapshot events (per-layer weight statistics and histograms, gradient norms,
dead-ReLU fractions, conv filter images) stream to viewers at ~2/s. The store
keeps a compact summary of some of them - kind ``"snapshot"`` in the metrics
table - so a finished run opened later still shows its gradient-norm,
dead-ReLU and histogram charts.

``summarize`` drops what the charts do not read (filter images, bias and
gradient histograms) and rounds the rest. ``SnapshotKeeper`` decides which
snapshots to store: at most one per ``gap`` seconds of training, always the
last one of a run; when a run has stored ``cap`` of them the store thins them
to every second one and the gap doubles, so a run of any length keeps at most
``cap`` snapshots spread evenly over its whole history. The worker also marks
about 60 snapshots per run, spread by step count, as ``keep``: these pass
whatever their time gap (``final`` here), so a run that ends within a second
still has a measured history rather than two points joined by a line. One
taken for that alone is marked ``stream: False`` and reaches the store, not
the viewers (the page reads the stored history when a run ends): streamed, a
fast run sent each viewer 15 snapshots a second.
"""

from __future__ import annotations

import math

KIND = "snapshot"
MAX_SNAPSHOTS = 500
MIN_GAP_S = 1.0
DIGITS = 5  # significant digits kept for statistics and histogram edges

_STATS = ("mean", "std", "min", "max", "norm")


def _round(v):
    if isinstance(v, float):
        return float(f"{v:.{DIGITS}g}") if math.isfinite(v) else None
    return v


def _weight(w: dict | None) -> dict | None:
    if not w:
        return None
    out = {k: _round(w.get(k)) for k in _STATS if k in w}
    hist = w.get("hist")
    if hist:
        out["hist"] = {"counts": list(hist.get("counts") or []),
                       "edges": [_round(float(e)) for e in hist.get("edges") or []]}
    return out


def summarize(event: dict) -> dict:
    """A snapshot event -> ``{"step", "ts", "layers": [{index, type, grad_norm,
    dead_fraction, weight: {mean, std, min, max, norm, hist: {counts, edges}}}]}``
    (the shape of the streamed event, minus filters, bias and grad)."""
    layers = []
    for layer in event.get("layers") or []:
        layers.append({"index": layer.get("index"), "type": layer.get("type"),
                       "grad_norm": _round(layer.get("grad_norm")),
                       "dead_fraction": _round(layer.get("dead_fraction")),
                       "weight": _weight(layer.get("weight"))})
    return {"step": event.get("step"), "ts": event.get("ts"), "layers": layers}


class SnapshotKeeper:
    """Per run: which snapshots go to the store (see the module docstring)."""

    def __init__(self, cap: int = MAX_SNAPSHOTS, gap: float = MIN_GAP_S):
        self.cap = max(2, int(cap))
        self.gap = float(gap)
        self.count = 0
        self._last_ts: float | None = None
        self._last_step: int | None = None
        self._thinning = False

    def wants(self, ts: float, step: int | None, final: bool = False) -> bool:
        """True when a snapshot taken at ``ts`` (seconds) should be stored."""
        if step is not None and step == self._last_step:
            return False  # a repeat (e.g. two requests answered while paused)
        if not final and self._last_ts is not None and ts - self._last_ts < self.gap:
            return False
        self._last_ts, self._last_step = ts, step
        self.count += 1
        return True

    def thin_due(self) -> bool:
        """True once each time the cap is reached (until ``thinned`` is called)."""
        if self.count >= self.cap and not self._thinning:
            self._thinning = True
            return True
        return False

    def thinned(self, left: int) -> None:
        """The store kept ``left`` snapshots: keep later ones twice as far apart."""
        self.count = int(left)
        self.gap *= 2
        self._thinning = False
