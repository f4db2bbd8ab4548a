"""Does a model spec fit a dataset? One check, used by the API, the run manager and the CLI.

A spec that does not fit fails on the first batch deep in the loss ("target
shape does not match ..."); checked here first, the error names the spec's
field at fault: ("spec", "input_shape"), ("spec", "loss") or the last layer
("spec", "layers", k).
"""

from __future__ import annotations

from collections.abc import Sequence

from playground.engine.data.registry import Dataset
from playground.engine.run_config import RunConfigError
from playground.engine.spec import SpecReport


def check_fit(report: SpecReport, dataset: str, num_classes: int,
              input_shape: Sequence[int] | None = None, target_size: int | None = None) -> None:
    """RunConfigError unless a model of ``report`` can train on ``dataset``.

    ``num_classes`` 0 means regression (real-valued targets); ``input_shape`` is
    one sample's shape and ``target_size`` a regression target's width, each
    checked when known (None: not known yet, e.g. a file read by the worker)."""
    if input_shape is not None and tuple(report.input_shape) != tuple(input_shape):
        raise RunConfigError(f"the spec's input_shape {list(report.input_shape)} does not match "
                             f"dataset {dataset!r} ({list(input_shape)})", ("spec", "input_shape"))
    last = ("spec", "layers", len(report.layers) - 1)
    k, loss = report.num_outputs, report.loss
    if num_classes == 0:
        if loss != "mse":
            raise RunConfigError(f"dataset {dataset!r} has real-valued targets (regression): use loss 'mse', "
                                 f"not {loss!r}", ("spec", "loss"))
        if target_size is not None and k != target_size:
            raise RunConfigError(f"dataset {dataset!r} has {target_size} target value(s) per sample; the "
                                 f"last layer outputs {k}", last)
        return
    if loss == "softmax_cross_entropy" and k < num_classes:
        raise RunConfigError(f"dataset {dataset!r} has {num_classes} classes; the last layer outputs {k} "
                             f"(needs at least {num_classes})", last)
    if loss == "binary_cross_entropy" and num_classes > 2:
        raise RunConfigError(f"binary_cross_entropy needs 2 classes; dataset {dataset!r} has {num_classes}: "
                             f"use softmax_cross_entropy", ("spec", "loss"))
    if loss == "mse" and k != 1:
        raise RunConfigError(f"dataset {dataset!r} has class labels; mse compares them with one output, "
                             f"the last layer outputs {k}: use softmax_cross_entropy", ("spec", "loss"))


def check_dataset_fit(report: SpecReport, name: str, dataset: Dataset) -> None:
    """check_fit against a loaded dataset: its sample shape, classes and target width."""
    y = dataset.y_train
    target_size = int(y.shape[1]) if y.ndim == 2 else 1
    check_fit(report, name, dataset.num_classes, input_shape=dataset.x_train.shape[1:],
              target_size=target_size if dataset.num_classes == 0 else None)
