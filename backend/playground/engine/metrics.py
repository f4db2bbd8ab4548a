"""Metrics for classification and for watching a network train.

Classification: `predictions` (argmax, or threshold 0 for one-logit binary
models), `confidences` (the probability of that prediction), `accuracy`,
`confusion_matrix`, `per_class_accuracy`, `misclassified`, and
`threshold_counts`: per class, how many samples are called that class when a
prediction counts only at or above a confidence threshold (false positives
and true positives, as in the course notes' face-matching example).
Inspection: `histogram` and `stats` of a weight or gradient array, and
`dead_fraction` of a ReLU output. Everything returned is JSON-ready (Python
floats, ints and lists; non-finite numbers become None so a diverging run can
still be serialised).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _finite_or_none(v: float) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def predictions(outputs: np.ndarray) -> np.ndarray:
    """Class predictions from model outputs (logits).

    outputs: (N, K) with K > 1 -> argmax over K; (N,) or (N, 1) -> binary,
    class 1 where the logit is > 0 (probability > 0.5).
    """
    outputs = np.asarray(outputs)
    if outputs.ndim == 1 or outputs.shape[-1] == 1:
        return (outputs.reshape(-1) > 0).astype(np.int64)
    return outputs.argmax(axis=-1)


def confidences(outputs: np.ndarray) -> np.ndarray:
    """The probability the model gives its own prediction (float64, (N,)):
    softmax's largest entry for (N, K) logits, max(sigmoid(z), 1 - sigmoid(z))
    = sigmoid(|z|) for one logit."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if outputs.ndim == 1 or outputs.shape[-1] == 1:
        return 1.0 / (1.0 + np.exp(-np.abs(outputs.reshape(-1))))
    e = np.exp(outputs - outputs.max(axis=-1, keepdims=True))
    return 1.0 / e.sum(axis=-1)   # the largest entry's exp is exp(0) = 1


# Confidence thresholds the threshold table is counted at: 0 (every prediction
# counts) in steps of 0.05 to 0.95, then finer where careful matchers set theirs.
THRESHOLDS = tuple(round(t, 3) for t in [*np.arange(0.0, 0.95, 0.05), *np.arange(0.95, 0.99, 0.01), 0.99, 0.995, 0.999])


def threshold_counts(pred: np.ndarray, labels: np.ndarray, conf: np.ndarray, num_classes: int,
                     thresholds: tuple[float, ...] = THRESHOLDS) -> dict[str, Any]:
    """Per class c and threshold t, the samples called c with confidence >= t:
    ``false_positives[c][i]`` (their label is not c) and ``true_positives[c][i]``
    (it is), for t = thresholds[i]; ``negatives[c]`` / ``positives[c]``: samples
    whose label is not / is c. At t = 0 these are the confusion matrix's column
    sums off / on the diagonal."""
    pred = np.asarray(pred, dtype=np.int64).reshape(-1)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    conf = np.asarray(conf, dtype=np.float64).reshape(-1)
    t = np.asarray(thresholds, dtype=np.float64)
    fp, tp = [], []
    for c in range(num_classes):
        called = pred == c
        right = np.sort(conf[called & (labels == c)])
        wrong = np.sort(conf[called & (labels != c)])
        # how many of each are >= t: all minus those below t
        tp.append((len(right) - np.searchsorted(right, t, side="left")).tolist())
        fp.append((len(wrong) - np.searchsorted(wrong, t, side="left")).tolist())
    positives = np.bincount(labels, minlength=num_classes)[:num_classes]
    return {"thresholds": list(thresholds), "false_positives": fp, "true_positives": tp,
            "positives": positives.tolist(), "negatives": (len(labels) - positives).tolist()}


def accuracy(outputs: np.ndarray, labels: np.ndarray) -> float:
    """Share of samples whose prediction equals its integer label."""
    labels = np.asarray(labels).reshape(-1)
    if labels.size == 0:
        return 0.0
    return float(np.count_nonzero(predictions(outputs) == labels) / labels.size)


def confusion_matrix(pred: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """(K, K) int64 counts; row = true class, column = predicted class."""
    pred = np.asarray(pred, dtype=np.int64).reshape(-1)
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    # One bincount over the flattened (true, pred) pair is a single vectorised pass.
    flat = labels * num_classes + pred
    return np.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def per_class_accuracy(confusion: np.ndarray) -> list[float | None]:
    """Recall of every class (diagonal / row sum); None for a class with no samples."""
    confusion = np.asarray(confusion)
    totals = confusion.sum(axis=1)
    return [float(confusion[k, k] / totals[k]) if totals[k] else None for k in range(len(totals))]


def misclassified(pred: np.ndarray, labels: np.ndarray, limit: int = 64) -> list[int]:
    """Indices of the first `limit` samples whose prediction is wrong."""
    wrong = np.flatnonzero(np.asarray(pred).reshape(-1) != np.asarray(labels).reshape(-1))
    return [int(i) for i in wrong[:limit]]


def histogram(arr: np.ndarray, bins: int = 30) -> dict[str, Any]:
    """{"counts": [bins ints], "edges": [bins + 1 floats]} over the finite values."""
    a = np.asarray(arr).reshape(-1)
    mask = np.isfinite(a)
    finite = a if mask.all() else a[mask]
    if finite.size == 0:
        return {"counts": [0] * bins, "edges": [float(x) for x in np.linspace(0.0, 1.0, bins + 1)]}
    lo, hi = float(finite.min()), float(finite.max())
    if lo == hi:
        # A constant array (e.g. zero-initialised biases) still gets a readable range.
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(finite, bins=bins, range=(lo, hi))
    return {"counts": counts.tolist(), "edges": edges.tolist()}


def stats(arr: np.ndarray, bins: int = 30) -> dict[str, Any]:
    """mean, std, min, max, L2 norm and histogram of an array (float64 sums)."""
    a = np.asarray(arr, dtype=np.float64).reshape(-1)
    if a.size == 0:
        return {"mean": None, "std": None, "min": None, "max": None, "norm": 0.0,
                "hist": histogram(a, bins)}
    return {
        "mean": _finite_or_none(a.mean()),
        "std": _finite_or_none(a.std()),
        "min": _finite_or_none(a.min()),
        "max": _finite_or_none(a.max()),
        "norm": _finite_or_none(np.sqrt(np.dot(a, a))),
        "hist": histogram(a, bins),
    }


def dead_fraction(activations: np.ndarray) -> float:
    """Share of units never > 0 over the batch.

    activations: (N, features) -> a unit is a feature; (N, H, W, C) -> a unit
    is a channel (a filter that fires nowhere in the batch is dead; single
    border positions of a live filter often stay at zero and are not).
    """
    a = np.asarray(activations)
    if a.ndim <= 1 or a.shape[0] == 0:
        return 0.0
    axes = tuple(range(a.ndim - 1)) if a.ndim == 4 else (0,)
    alive = (a > 0).any(axis=axes)
    return float(1.0 - np.count_nonzero(alive) / alive.size)
