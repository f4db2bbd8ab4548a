"""Checking a run config (the ``POST /api/runs`` body) before anything is queued.

``normalize(config)`` returns the config with defaults filled in, or raises
ConfigError naming the field, so a bad request is a 422 at once instead of a
run that fails in its worker seconds later. The engine is the judge: the spec
goes through ``validate_spec``, the optimizer settings through a throwaway
optimizer (``check_optimizer``), the dataset through the DATASETS table.
"""

from __future__ import annotations

import re

import numpy as np

from playground.runs.errors import ConfigError
from playground.runs.protocol import MODEL_ID_PATTERN, RUN_ID_PATTERN

TRAIN_DEFAULTS = {"epochs": 1, "steps": None, "batch_size": 64, "optimizer": "sgd", "lr": 0.01,
                  "lr_schedule": "constant", "optimizer_params": {}, "weight_decay": 0.0, "seed": 0, "shuffle": True,
                  "steps_per_second": None}
# Slow motion's range: from one step in ten seconds to about what a toy set reaches anyway.
MAX_STEPS_PER_SECOND = 1000.0
# update() keys that go to the optimizer; "lr" and "weight_decay" sit at the top
# of a run config, the rest in optimizer_params.
TOP_LEVEL_OPTIMIZER_KEYS = ("lr", "weight_decay")


def normalize(config: dict) -> dict:
    from playground.engine.spec import SpecError, validate_spec

    if not isinstance(config, dict):
        raise ConfigError("a run config must be an object", ())
    if "spec" not in config:
        raise ConfigError("spec is required", ("spec",))
    try:
        report = validate_spec(config["spec"])
    except SpecError as exc:
        field = ("spec",) + (("layers", exc.layer) if exc.layer is not None else ()) + \
            ((exc.field,) if exc.field else ())
        raise ConfigError(exc.message, field) from None
    out = {"spec": config["spec"], "name": config.get("name")}
    if out["name"] is not None and not isinstance(out["name"], str):
        raise ConfigError("name must be a string", ("name",))
    out["dataset"], out["dataset_params"] = _dataset(config, report)
    train = {k: config[k] if config.get(k) is not None else v for k, v in TRAIN_DEFAULTS.items()}
    _check_train(train)
    out["config"] = train
    iw = config.get("initial_weights")
    if iw is not None and not (isinstance(iw, dict) and len(iw) == 1
                               and set(iw) <= {"run_id", "model_id"} and isinstance(next(iter(iw.values())), str)):
        raise ConfigError('initial_weights must be {"run_id": id} or {"model_id": id}',
                          ("initial_weights",))
    if iw is not None:
        key = next(iter(iw))
        if not re.fullmatch(RUN_ID_PATTERN if key == "run_id" else MODEL_ID_PATTERN, iw[key]):
            raise ConfigError(f"{key} must be an id as the server gives them (r_... or m_...), "
                              f"not {iw[key][:64]!r}", ("initial_weights", key))
    out["initial_weights"] = iw
    return out


def _dataset(config: dict, report) -> tuple[str, dict]:
    from playground.engine.data.registry import DATASETS

    name = config.get("dataset")
    if not isinstance(name, str) or not name:
        raise ConfigError("dataset is required (a name from GET /api/datasets)", ("dataset",))
    params = config.get("dataset_params") or {}
    if not isinstance(params, dict):
        raise ConfigError("dataset_params must be an object", ("dataset_params",))
    if name in DATASETS:
        want = tuple(DATASETS[name].input_shape)
        if tuple(report.input_shape) != want:
            raise ConfigError(f"the spec's input_shape {list(report.input_shape)} does not match "
                              f"dataset {name!r} ({list(want)})", ("spec", "input_shape"))
        check_task(report, name, DATASETS[name].num_classes, target_size=1)
    elif not params.get("path") and not name.endswith(".npz"):
        raise ConfigError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}", ("dataset",))
    val_split = params.get("val_split", 0.1)
    if not isinstance(val_split, (int, float)) or not 0 <= val_split <= 0.9:
        raise ConfigError("val_split must be a number in [0, 0.9]", ("dataset_params", "val_split"))
    params = dict(params)
    if params.get("class_fractions") is not None:
        params["class_fractions"] = check_fractions(params["class_fractions"],
                                                    DATASETS[name].num_classes if name in DATASETS else None)
    return name, params


def check_fractions(fractions, num_classes: int | None) -> dict:
    """dataset_params.class_fractions checked by the engine -> {"8": 0.02} (JSON keys);
    ConfigError at ("dataset_params", "class_fractions", key)."""
    from playground.engine.data.bias import ClassFractionError, check_class_fractions

    try:
        checked = check_class_fractions(fractions, num_classes)
    except ClassFractionError as exc:
        key = () if exc.key is None else (str(exc.key),)
        raise ConfigError(str(exc), ("dataset_params", "class_fractions", *key)) from None
    return {str(label): fraction for label, fraction in sorted(checked.items())}


def check_task(report, name: str, num_classes: int, target_size: int | None = None) -> None:
    """The spec's loss and output size must fit the dataset's targets, else the
    worker fails on its first batch ("target shape does not match ..."): a 422
    at the spec's loss or last layer instead. ``num_classes`` 0 = regression;
    ``target_size`` is a regression target's width when known."""
    last = ("spec", "layers", len(report.layers) - 1)
    k, loss = report.num_outputs, report.loss
    if num_classes == 0:
        if loss != "mse":
            raise ConfigError(f"dataset {name!r} has real-valued targets (regression): use loss 'mse', "
                              f"not {loss!r}", ("spec", "loss"))
        if target_size is not None and k != target_size:
            raise ConfigError(f"dataset {name!r} has {target_size} target value(s) per sample; the last "
                              f"layer outputs {k}", last)
        return
    if loss == "softmax_cross_entropy" and k < num_classes:
        raise ConfigError(f"dataset {name!r} has {num_classes} classes; the last layer outputs {k} "
                          f"(needs at least {num_classes})", last)
    if loss == "binary_cross_entropy" and num_classes > 2:
        raise ConfigError(f"binary_cross_entropy needs 2 classes; dataset {name!r} has {num_classes}: "
                          f"use softmax_cross_entropy", ("spec", "loss"))
    if loss == "mse" and k != 1:
        raise ConfigError(f"dataset {name!r} has class labels; mse compares them with one output, the "
                          f"last layer outputs {k}: use softmax_cross_entropy", ("spec", "loss"))


def _check_train(t: dict) -> None:
    def integer(key, low, allow_none=False):
        v = t[key]
        if v is None and allow_none:
            return
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ConfigError(f"{key} must be an integer >= {low}", (key,))

    integer("epochs", 0)
    integer("steps", 1, allow_none=True)
    integer("batch_size", 1)
    integer("seed", 0)
    if not isinstance(t["shuffle"], bool):
        raise ConfigError("shuffle must be true or false", ("shuffle",))
    if not isinstance(t["optimizer_params"], dict):
        raise ConfigError("optimizer_params must be an object", ("optimizer_params",))
    for key in TOP_LEVEL_OPTIMIZER_KEYS:
        if key in t["optimizer_params"]:
            # The worker passes both to the optimizer: a second value is a TypeError there.
            raise ConfigError(f"{key} is set by the top-level field {key!r}, not in optimizer_params",
                              ("optimizer_params", key))
    check_rate(t["steps_per_second"])
    if t["steps"] is None and t["epochs"] == 0:
        raise ConfigError("epochs must be >= 1 when steps is not given", ("epochs",))
    from playground.engine.schedules import LR_SCHEDULES

    if t["lr_schedule"] not in LR_SCHEDULES:
        raise ConfigError(f"lr_schedule must be one of {sorted(LR_SCHEDULES)}", ("lr_schedule",))
    check_optimizer(t["optimizer"], {"lr": t["lr"], "weight_decay": t["weight_decay"],
                                     **t["optimizer_params"]})


def check_rate(rate) -> None:
    """steps_per_second: None (full speed) or a number in (0, MAX_STEPS_PER_SECOND]."""
    if rate is None:
        return
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= MAX_STEPS_PER_SECOND:
        raise ConfigError(f"steps_per_second must be a number in (0, {MAX_STEPS_PER_SECOND:g}] "
                          f"or null for full speed", ("steps_per_second",))


def check_optimizer(name: str, settings: dict) -> None:
    """Let the engine's optimizer judge ``settings``; ConfigError names the key."""
    from playground.engine.optim import OPTIMIZERS, SettingError, make_optimizer
    from playground.engine.tensor import Tensor

    if name not in OPTIMIZERS:
        raise ConfigError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}",
                          ("optimizer",))
    try:
        make_optimizer(name, [Tensor(np.zeros(1, np.float32), requires_grad=True)], **settings)
    except SettingError as exc:
        raise ConfigError(str(exc), setting_field(exc.setting)) from None
    except (ValueError, TypeError) as exc:
        raise ConfigError(str(exc), ("optimizer_params",)) from None


def setting_field(setting: str | None) -> tuple:
    """Where an optimizer setting lives in a run config: top level or optimizer_params."""
    if setting is None:
        return ("optimizer_params",)
    return (setting,) if setting in TOP_LEVEL_OPTIMIZER_KEYS else ("optimizer_params", setting)


def merge_optimizer_settings(train: dict, settings: dict) -> dict:
    """A copy of a run's train config with ``settings`` applied where they live."""
    out = dict(train, optimizer_params=dict(train.get("optimizer_params") or {}))
    for key, value in settings.items():
        if key in TOP_LEVEL_OPTIMIZER_KEYS:
            out[key] = value
        else:
            out["optimizer_params"][key] = value
    return out
