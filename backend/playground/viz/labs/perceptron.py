"""Perceptron lab: the engine's perceptron trainer, recorded update by update.

The trainer (engine.perceptron.train_perceptron) runs unchanged, sample by
sample in file order; a thin recorder around the model notes, for every sample
it judges, the weights before and after, the prediction f(x) and the error
a - f(x). The page replays the list to move the decision line w.x + b = 0.

With classes = 3 or 4 the model is the engine's MultiClassPerceptron on a
seeded blob set: one weight row per class (w_k, b_k), prediction argmax_k
w_k.x + b_k, and on a mistake w_true += lr x, w_predicted -= lr x (the notes'
lr (onehot(a) - onehot(f(x))) x). Rows are sent class by class, so the page
can shade the argmax regions and name the two rows an update changes.
"""

from __future__ import annotations

import numpy as np

from playground.engine.data.toy import make_2d
from playground.engine.perceptron import MultiClassPerceptron, Perceptron, train_perceptron
from playground.viz.labs import LabError

DATASETS = ("separable", "xor", "overlapping")
MULTI_DATASETS = ("separable", "overlapping")
CLASSES = (2, 3, 4)
MAX_STEPS = 2000
_MARGIN = 0.25  # keeps separable points off the true line, so the rule converges in a few epochs
# Blob centres on a circle: (radius, spread). Separable blobs sit about 8
# spreads apart even for 4 classes; overlapping ones share their edges.
_BLOBS = {"separable": (3.5, 0.6), "overlapping": (1.8, 1.3)}


class _Recorder:
    """Wraps a Perceptron or MultiClassPerceptron; trainer calls pass through and
    each update is logged. Multi-class weights are logged as one row per class,
    and the error as onehot(a) - onehot(f(x)) (all zero when right)."""

    def __init__(self, model: Perceptron | MultiClassPerceptron, n: int):
        self.model, self.n, self.steps = model, n, []
        self.multi = isinstance(model, MultiClassPerceptron)

    def predict(self, x):
        return self.model.predict(x)

    def check_labels(self, y):
        self.model.check_labels(y)

    def _weights(self) -> tuple:
        m = self.model
        return (m.w.T.tolist(), m.b.tolist()) if self.multi else (m.w.tolist(), float(m.b))

    def _error(self, label: int, prediction: int):
        if not self.multi:
            return label - prediction
        err = [0] * self.model.n_classes
        err[label] += 1
        err[prediction] -= 1
        return err

    def update(self, x, a, lr):
        # batch_size 1 and no shuffling: the k-th update is sample k mod N
        k = len(self.steps)
        w0, b0 = self._weights()
        prediction = int(self.model.predict(x)[0])
        wrong = self.model.update(x, a, lr)
        w, b = self._weights()
        self.steps.append({
            "epoch": k // self.n, "index": k % self.n, "x": x[0].tolist(), "label": int(a[0]),
            "prediction": prediction, "error": self._error(int(a[0]), prediction),
            "w_before": w0, "b_before": b0, "w": w, "b": b, "updated": bool(wrong),
        })
        return wrong


def make_blobs(dataset: str, n: int, classes: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`classes` Gaussian clusters, centres evenly on a circle at a random turn."""
    radius, spread = _BLOBS[dataset]
    turn = rng.uniform(0, 2 * np.pi)
    angles = turn + 2 * np.pi * np.arange(classes) / classes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    y = rng.permutation(np.arange(n) % classes)  # balanced, in random order
    x = np.clip(centres[y] + spread * rng.standard_normal((n, 2)), -5.5, 5.5)
    return x, y.astype(np.int64)


def make_points(dataset: str, n: int, seed: int, classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """-> x: (n, 2) in about [-5, 5]^2, y: (n,) in [0, classes)."""
    rng = np.random.default_rng(seed)
    if dataset == "overlapping" or classes > 2:
        return make_blobs(dataset, n, classes, rng)
    if dataset == "xor":
        x, y = make_2d("xor", n, 0.0, rng)
        return x.astype(np.float64), y
    # A random line through the box; points closer than the margin are redrawn.
    angle = rng.uniform(0, 2 * np.pi)
    normal = np.array([np.cos(angle), np.sin(angle)])
    offset = rng.uniform(-1.5, 1.5)
    pts = np.empty((0, 2))
    while len(pts) < n:
        cand = rng.uniform(-5, 5, (2 * n, 2))
        pts = np.concatenate([pts, cand[np.abs(cand @ normal - offset) > _MARGIN]])
    x = pts[:n]
    return x, (x @ normal - offset > 0).astype(np.int64)


def perceptron_trace(dataset: str, n_samples: int, lr: float, max_epochs: int, seed: int, classes: int = 2) -> dict:
    if classes not in CLASSES:
        raise LabError("classes", f"classes must be one of {CLASSES}, got {classes!r}")
    if dataset not in (DATASETS if classes == 2 else MULTI_DATASETS):
        allowed = DATASETS if classes == 2 else MULTI_DATASETS
        raise LabError("dataset", f"with {classes} classes dataset must be one of {allowed}, got {dataset!r}")
    epochs = min(max_epochs, MAX_STEPS // n_samples)
    if epochs < 1:
        raise LabError("n_samples", f"n_samples must be at most {MAX_STEPS}")
    x, y = make_points(dataset, n_samples, seed, classes)
    if classes == 2:
        recorder = _Recorder(Perceptron(2), n_samples)
    else:
        recorder = _Recorder(MultiClassPerceptron(2, classes), n_samples)
    result = train_perceptron(recorder, x, y, lr=lr, max_epochs=epochs)
    model = recorder.model
    multi = classes > 2
    return {
        "dataset": dataset,
        "classes": classes,
        "lr": lr,
        "points": x.tolist(),
        "labels": y.tolist(),
        "steps": recorder.steps,
        "converged": result.converged,
        "epochs": result.epochs,
        "errors_per_epoch": result.errors,
        "w": model.w.T.tolist() if multi else model.w.tolist(),
        "b": model.b.tolist() if multi else float(model.b),
        "accuracy": float((model.predict(x) == y).mean()),
    }
