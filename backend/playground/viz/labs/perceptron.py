"""Perceptron lab: the engine's perceptron trainer, recorded update by update.

The trainer (engine.perceptron.train_perceptron) runs unchanged, sample by
sample in file order; a thin recorder around the model notes, for every sample
it judges, the weights before and after, the prediction f(x) and the error
a - f(x). The page replays the list to move the decision line w.x + b = 0.
"""

from __future__ import annotations

import numpy as np

from playground.engine.data.toy import make_2d
from playground.engine.perceptron import Perceptron, train_perceptron
from playground.viz.labs import LabError

DATASETS = ("separable", "xor")
MAX_STEPS = 2000
_MARGIN = 0.25  # keeps separable points off the true line, so the rule converges in a few epochs


class _Recorder:
    """Wraps a Perceptron; trainer calls pass through and each update is logged."""

    def __init__(self, model: Perceptron, n: int):
        self.model, self.n, self.steps = model, n, []

    def predict(self, x):
        return self.model.predict(x)

    def check_labels(self, y):
        self.model.check_labels(y)

    def update(self, x, a, lr):
        # batch_size 1 and no shuffling: the k-th update is sample k mod N
        k = len(self.steps)
        w0, b0 = self.model.w.copy(), float(self.model.b)
        prediction = int(self.model.predict(x)[0])
        wrong = self.model.update(x, a, lr)
        self.steps.append({
            "epoch": k // self.n, "index": k % self.n, "x": x[0].tolist(), "label": int(a[0]),
            "prediction": prediction, "error": int(a[0]) - prediction,
            "w_before": w0.tolist(), "b_before": b0,
            "w": self.model.w.tolist(), "b": float(self.model.b), "updated": bool(wrong),
        })
        return wrong


def make_points(dataset: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """-> x: (n, 2) in about [-5, 5]^2, y: (n,) in {0, 1}."""
    rng = np.random.default_rng(seed)
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


def perceptron_trace(dataset: str, n_samples: int, lr: float, max_epochs: int, seed: int) -> dict:
    if dataset not in DATASETS:
        raise LabError("dataset", f"dataset must be one of {DATASETS}, got {dataset!r}")
    epochs = min(max_epochs, MAX_STEPS // n_samples)
    if epochs < 1:
        raise LabError("n_samples", f"n_samples must be at most {MAX_STEPS}")
    x, y = make_points(dataset, n_samples, seed)
    recorder = _Recorder(Perceptron(2), n_samples)
    result = train_perceptron(recorder, x, y, lr=lr, max_epochs=epochs)
    model = recorder.model
    return {
        "dataset": dataset,
        "lr": lr,
        "points": x.tolist(),
        "labels": y.tolist(),
        "steps": recorder.steps,
        "converged": result.converged,
        "epochs": result.epochs,
        "errors_per_epoch": result.errors,
        "w": model.w.tolist(),
        "b": float(model.b),
        "accuracy": float((model.predict(x) == y).mean()),
    }
