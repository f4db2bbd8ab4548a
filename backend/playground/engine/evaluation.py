"""Evaluation of a model on a labelled set, and the targets each loss expects.

`evaluate` runs the model in eval mode over mini-batches without recording a
graph and returns the loss and, for classifiers, accuracy, per-class
accuracy, confusion matrix and the first misclassified indices. `loss_target`
turns dataset labels into what the loss function takes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from playground.engine import losses, metrics
from playground.engine.tensor import Tensor, no_grad

if TYPE_CHECKING:  # for annotations only: no runtime dependency on model.py
    from playground.engine.model import Model


def loss_name(model: Model) -> str:
    """The model's loss (its validated report's, else the spec's), checked against LOSSES."""
    report = getattr(model, "report", None)
    name = getattr(report, "loss", None) or model.spec.get("loss", "softmax_cross_entropy")
    if name not in losses.LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of {sorted(losses.LOSSES)}")
    return name


def loss_target(y: np.ndarray, loss_name: str, output_shape: tuple[int, ...]) -> np.ndarray:
    """int64 labels for softmax cross-entropy; float32 shaped like the model
    output (per sample) for mse and binary cross-entropy."""
    y = np.asarray(y)
    if loss_name == "softmax_cross_entropy":
        return y.astype(np.int64, copy=False)
    y = y.astype(np.float32, copy=False)
    if y.ndim == 1 and int(np.prod(output_shape)) == 1:
        y = y.reshape((-1,) + tuple(output_shape))
    return y


def num_classes(loss_name: str, output_shape: tuple[int, ...], labels: np.ndarray) -> int:
    """Classes of a classifier: 2 for a one-logit binary model, else the
    output width (or more, if labels say so, so a confusion matrix never overflows)."""
    if loss_name == "binary_cross_entropy":
        return 2
    k = int(np.prod(output_shape))
    return max(k, int(labels.max()) + 1 if labels.size else 0)


# Multiply-adds per evaluation batch: a fraction of a second here, so an
# evaluation that checks for a stop between batches sees it soon even for a
# deep, wide network (45 conv layers of 64 filters on MNIST: 1.3e9 a sample).
WORK_PER_BATCH = 2e9
EVAL_BATCH = 1000


def eval_batch(model: Model, cap: int = EVAL_BATCH) -> int:
    """Samples per evaluation batch: `cap`, or fewer when a sample costs more
    than WORK_PER_BATCH / cap multiply-adds. Each layer's weights are used once
    per output position (all of a dense layer's at once, a conv kernel's at
    every pixel), and every layer touches its outputs."""
    work = sum(info.params * math.prod(info.output_shape[:-1]) + math.prod(info.output_shape)
               for info in model.report.layers)
    return max(1, min(cap, int(WORK_PER_BATCH // max(work, 1))))


def evaluate(model: Model, loss_fn: Callable[[Tensor, np.ndarray], Tensor], loss_name: str, x: np.ndarray,
             y: np.ndarray, batch_size: int = EVAL_BATCH, max_misclassified: int = 64,
             with_predictions: bool = False, cancelled: Callable[[], bool] | None = None) -> dict[str, Any] | None:
    """{"loss", "accuracy"} (accuracy None for mse) plus, for classifiers,
    "per_class_accuracy", "confusion" (rows = true class), "misclassified"
    (indices into x), and with ``with_predictions`` "predictions" (every
    sample's class) and "thresholds" (metrics.threshold_counts: false and true
    positives per class at each confidence threshold; left out of the
    trainer's results, which every run record keeps). Loss is None when it is
    not finite or x is empty. None when ``cancelled()`` turns true (checked
    before each batch)."""
    output_shape = tuple(model.report.output_shape)
    target = loss_target(y, loss_name, output_shape)
    classifier = loss_name != "mse"
    n = len(x)
    loss_sum = 0.0
    preds, confs = [], []
    with no_grad(), np.errstate(all="ignore"):
        for lo in range(0, n, batch_size):
            if cancelled is not None and cancelled():
                return None
            out = model(x[lo:lo + batch_size], training=False)
            loss_sum += loss_fn(out, target[lo:lo + batch_size]).item() * len(out.data)
            if classifier:
                preds.append(metrics.predictions(out.data))
                if with_predictions:
                    confs.append(metrics.confidences(out.data))
    mean = loss_sum / n if n else math.nan
    result: dict[str, Any] = {"loss": mean if math.isfinite(mean) else None, "accuracy": None}
    if classifier and n:
        pred = np.concatenate(preds)
        labels = np.asarray(y).reshape(-1).astype(np.int64)
        k = num_classes(loss_name, output_shape, labels)
        cm = metrics.confusion_matrix(pred, labels, k)
        result.update(accuracy=float(np.count_nonzero(pred == labels) / n),
                      per_class_accuracy=metrics.per_class_accuracy(cm),
                      confusion=cm.tolist(),
                      misclassified=metrics.misclassified(pred, labels, max_misclassified))
        if with_predictions:
            result["predictions"] = pred
            result["thresholds"] = metrics.threshold_counts(pred, labels, np.concatenate(confs), k)
    return result
