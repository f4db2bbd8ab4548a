"""Checking a run config (the ``POST /api/runs`` body) before anything is queued.

``normalize(config)`` returns the config with defaults filled in, or raises
ConfigError naming the field, so a bad request is a 422 at once instead of a
run that fails in its worker seconds later. The engine is the judge: the spec
goes through ``validate_spec``, the training settings through RunConfig
(engine/run_config.py, the one definition), the spec against the dataset
through ``check_fit`` (engine/fit.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from playground.engine.data.split import MAX_VAL_SPLIT
from playground.engine.fit import check_fit
from playground.engine.run_config import API_FIELDS, BY_NAME, RunConfig, RunConfigError
from playground.engine.spec import SpecReport
from playground.runs.errors import ConfigError
from playground.runs.protocol import MODEL_ID_PATTERN, RUN_ID_PATTERN


def normalize(config: Any) -> dict:
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
    out["config"] = train_config(config)
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


def _dataset(config: dict, report: SpecReport) -> tuple[str, dict]:
    from playground.engine.data.registry import DATASETS

    name = config.get("dataset")
    if not isinstance(name, str) or not name:
        raise ConfigError("dataset is required (a name from GET /api/datasets)", ("dataset",))
    params = config.get("dataset_params") or {}
    if not isinstance(params, dict):
        raise ConfigError("dataset_params must be an object", ("dataset_params",))
    if name in DATASETS:
        info = DATASETS[name]
        fits(report, name, info.num_classes, input_shape=info.input_shape, target_size=1)
    elif not params.get("path") and not name.endswith(".npz"):
        raise ConfigError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}", ("dataset",))
    val_split = params.get("val_split", 0.1)
    if isinstance(val_split, bool) or not isinstance(val_split, (int, float)) or not 0 <= val_split <= MAX_VAL_SPLIT:
        raise ConfigError(f"val_split must be a number in [0, {MAX_VAL_SPLIT}]", ("dataset_params", "val_split"))
    params = dict(params)
    if params.get("class_fractions") is not None:
        params["class_fractions"] = check_fractions(params["class_fractions"],
                                                    DATASETS[name].num_classes if name in DATASETS else None)
    return name, params


def check_fractions(fractions: Any, num_classes: int | None) -> dict:
    """dataset_params.class_fractions checked by the engine -> {"8": 0.02} (JSON keys);
    ConfigError at ("dataset_params", "class_fractions", key)."""
    from playground.engine.data.bias import ClassFractionError, check_class_fractions

    try:
        checked = check_class_fractions(fractions, num_classes)
    except ClassFractionError as exc:
        key = () if exc.key is None else (str(exc.key),)
        raise ConfigError(str(exc), ("dataset_params", "class_fractions", *key)) from None
    return {str(label): fraction for label, fraction in sorted(checked.items())}


@contextmanager
def config_errors() -> Iterator[None]:
    """The engine's RunConfigError raised inside, as the manager's ConfigError
    (same message and field), so callers of the manager catch one type."""
    try:
        yield
    except RunConfigError as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(exc.message, exc.field) from None


def train_config(values: Mapping[str, Any]) -> dict:
    """The training settings of a run config, checked and with defaults filled in
    (RunConfig decides), as the run record keeps them."""
    with config_errors():
        return RunConfig.from_dict(values, only=API_FIELDS).to_dict()


def fits(report: SpecReport, dataset: str, num_classes: int, **known: Any) -> None:
    """engine.fit.check_fit, raising ConfigError."""
    with config_errors():
        check_fit(report, dataset, num_classes, **known)


def check_rate(rate: Any) -> None:
    """steps_per_second as RunConfig takes it: None (full speed) or a number in (0, max]."""
    with config_errors():
        BY_NAME["steps_per_second"].check(rate)
