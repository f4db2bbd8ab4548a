"""The run configuration: every training setting once, with its default, bounds and vocabulary.

    cfg = RunConfig(epochs=2, batch_size=64, optimizer="adam", lr=1e-3)
    cfg = RunConfig.from_dict({"epochs": 2, "optimizer": "adam"})   # JSON-shaped input

RunConfig's fields are the one definition (FIELDS reads their types, defaults
and rules). The Trainer takes a RunConfig; the POST /api/runs
request model (api/schemas/runs.py), the run manager's check (runs/config.py),
the worker and the CLI's `train` options are derived from FIELDS, so a default,
a bound or an optimizer name is written here and nowhere else. The server's
own limits (max epochs, batch size, ...) are settings applied on top.

A bad value raises RunConfigError carrying the field path (a tuple such as
("optimizer_params", "momentum")) and a message, so no caller ever has to
find the field in the message text.

Length of a run: `steps`, when given, replaces `epochs` (epochs may then be 0);
without `steps`, epochs must be >= 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, get_args, get_origin, get_type_hints

import numpy as np

from playground.engine.optim import OPTIMIZERS, SettingError, make_optimizer
from playground.engine.schedules import LR_SCHEDULES
from playground.engine.tensor import Tensor

# Optimizer settings kept at the top of a run config; the others go in optimizer_params.
TOP_LEVEL_OPTIMIZER_KEYS = ("lr", "weight_decay")
# Slow motion's range: from one step in ten seconds to about what a toy set reaches anyway.
MAX_STEPS_PER_SECOND = 1000.0
MAX_SEED = 2**32 - 1  # 32-bit seeds, as the API has always taken them

FieldPath = tuple[str | int, ...]  # where a value sits in a run config: ("optimizer_params", "momentum")


class RunConfigError(ValueError):
    """A run setting the engine refuses; ``field`` is where it sits in a run config."""

    def __init__(self, message: str, field: FieldPath = ()):
        super().__init__(message)
        self.message = message
        self.field = tuple(field)


@dataclass(frozen=True)
class Setting:
    """One run setting, read from RunConfig's fields. ``kind`` is int, float, bool,
    str or dict; ``low``/``high`` are bounds (``low_open``: strictly above low);
    ``choices`` a vocabulary; ``optional``: None is allowed (and is the default).
    ``api``/``cli``: offered as a key of POST /api/runs / an option of `playground train`."""

    name: str
    kind: type
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: tuple[str, ...] | None = None
    optional: bool = False
    api: bool = True
    cli: bool = True

    def check(self, value: Any) -> Any:
        """``value`` in this setting's type (an int is taken for a float), or RunConfigError."""
        where = (self.name,)
        if value is None:
            if self.optional:
                return None
            raise RunConfigError(f"{self.name} is required", where)
        if self.kind is bool:
            if not isinstance(value, bool):
                raise RunConfigError(f"{self.name} must be true or false", where)
            return value
        if self.kind is str:
            if not isinstance(value, str) or (self.choices is not None and value not in self.choices):
                raise RunConfigError(f"{self.name} must be one of {list(self.choices or ())}, not {value!r}", where)
            return value
        if self.kind is dict:
            if not isinstance(value, Mapping):
                raise RunConfigError(f"{self.name} must be an object", where)
            return dict(value)
        number = (int,) if self.kind is int else (int, float)
        if isinstance(value, bool) or not isinstance(value, number):
            raise RunConfigError(f"{self.name} must be {self.describe()}", where)
        too_low = self.low is not None and (value <= self.low if self.low_open else value < self.low)
        if not math.isfinite(value) or too_low or (self.high is not None and value > self.high):
            raise RunConfigError(f"{self.name} must be {self.describe()}, not {value!r}", where)
        return self.kind(value)

    def describe(self) -> str:
        """"an integer >= 1", "a number in (0, 100]": the rule in words."""
        noun = "an integer" if self.kind is int else "a number"
        low = None if self.low is None else _number(self.low)
        high = None if self.high is None else _number(self.high)
        if low is not None and high is not None:
            return f"{noun} in {'(' if self.low_open else '['}{low}, {high}]"
        if low is not None:
            return f"{noun} {'>' if self.low_open else '>='} {low}"
        return noun if high is None else f"{noun} <= {high}"


def _number(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:g}"


def _setting(default: Any, help: str, *, low: float | None = None, high: float | None = None,
             low_open: bool = False, choices: tuple[str, ...] | None = None,
             api: bool = True, cli: bool = True) -> Any:
    """A RunConfig field whose rules ride in its metadata (FIELDS reads them)."""
    rules = {"help": help, "low": low, "high": high, "low_open": low_open, "choices": choices,
             "api": api, "cli": cli}
    if isinstance(default, dict):
        return field(default_factory=dict, metadata=rules)
    return field(default=default, metadata=rules)


@dataclass(frozen=True)
class RunConfig:
    """Hyperparameters of one run, checked when made (RunConfigError naming the field).
    This class is the definition: each field's type, default and rules."""

    epochs: int = _setting(1, "passes over the training set (0 allowed when steps is given)", low=0)
    steps: int | None = _setting(None, "optimizer steps to run; replaces epochs when given", low=1)
    batch_size: int = _setting(64, "samples per optimizer step", low=1)
    optimizer: str = _setting("sgd", "the update rule", choices=tuple(sorted(OPTIMIZERS)))
    lr: float = _setting(0.01, "learning rate", low=0, low_open=True, high=100)
    lr_schedule: str = _setting("constant", "how lr changes over the run (cosine: from lr down to 0)",
                                choices=tuple(sorted(LR_SCHEDULES)))
    optimizer_params: dict[str, Any] = _setting({}, "the optimizer's other settings (momentum, nesterov, "
                                                    "beta1, beta2, eps)", cli=False)
    weight_decay: float = _setting(0.0, "L2 penalty: weight_decay * w added to each parameter's gradient", low=0, high=10)
    steps_per_second: float | None = _setting(None, "slow motion: at most this many steps per second "
                                                    "(unset: full speed)",
                                              low=0, low_open=True, high=MAX_STEPS_PER_SECOND)
    seed: int = _setting(0, "seed of the initial weights, the data split and the batch order",
                         low=0, high=MAX_SEED)
    shuffle: bool = _setting(True, "a new batch order each epoch (off: batches in file order)")
    # The engine's own knobs: the server or the CLI sets them, a request does not.
    snapshot_every: int = _setting(0, "a weight snapshot every this many steps (0: on request only)",
                                   low=0, api=False, cli=False)
    eval_every_epoch: bool = _setting(True, "evaluate the validation split after each epoch",
                                      api=False, cli=False)
    log_every: int = _setting(1, "a step event every this many steps", low=1, api=False, cli=False)
    threads: int = _setting(1, "cores to train on: a model with convolutions or pooling splits each "
                               "batch over this many processes (one BLAS thread each), a dense-only "
                               "model gives BLAS this many threads", low=1, high=64, api=False)

    def __post_init__(self) -> None:
        for s in FIELDS:
            object.__setattr__(self, s.name, s.check(getattr(self, s.name)))
        if self.steps is None and self.epochs < 1:
            raise RunConfigError("epochs must be >= 1 when steps is not given", ("epochs",))
        for key in self.optimizer_params:
            if key in TOP_LEVEL_OPTIMIZER_KEYS:
                # The optimizer would get two values for it.
                raise RunConfigError(f"{key} is set by the top-level field {key!r}, not in optimizer_params",
                                     ("optimizer_params", key))
        check_optimizer(self.optimizer, self.optimizer_settings())

    @classmethod
    def from_dict(cls, values: Mapping[str, Any], only: tuple[Setting, ...] | None = None) -> RunConfig:
        """From JSON-shaped values: missing keys and None take the default (steps and
        steps_per_second stay None); keys outside ``only`` (default: all) are not read."""
        given = {s.name: values[s.name] for s in (FIELDS if only is None else only)
                 if values.get(s.name) is not None}
        return cls(**given)

    def to_dict(self, only: tuple[Setting, ...] | None = None) -> dict[str, Any]:
        """The settings of ``only`` (default: the API's) as JSON-ready values."""
        out = {}
        for s in API_FIELDS if only is None else only:
            value = getattr(self, s.name)
            out[s.name] = dict(value) if isinstance(value, dict) else value
        return out

    def optimizer_settings(self) -> dict[str, Any]:
        """Everything the optimizer is made with: lr, weight_decay and optimizer_params."""
        return optimizer_settings(self.to_dict())


def _settings() -> tuple[Setting, ...]:
    hints = get_type_hints(RunConfig)
    out = []
    for f in fields(RunConfig):
        hint = hints[f.name]
        args = [a for a in get_args(hint) if a is not type(None)]
        optional = len(args) < len(get_args(hint))
        kind = get_origin(args[0] if optional else hint) or (args[0] if optional else hint)
        default = {} if f.default is MISSING else f.default
        out.append(Setting(f.name, kind, default, optional=optional, **f.metadata))
    return tuple(out)


FIELDS: tuple[Setting, ...] = _settings()
BY_NAME = {s.name: s for s in FIELDS}
API_FIELDS = tuple(s for s in FIELDS if s.api)
CLI_FIELDS = tuple(s for s in FIELDS if s.cli)


def setting_field(setting: str | None) -> FieldPath:
    """Where an optimizer setting lives in a run config: top level or optimizer_params."""
    if setting is None:
        return ("optimizer_params",)
    return (setting,) if setting in TOP_LEVEL_OPTIMIZER_KEYS else ("optimizer_params", setting)


def check_optimizer(name: str, settings: Mapping[str, Any],
                    where: Callable[[str | None], FieldPath] = setting_field) -> None:
    """Let the optimizer judge ``settings`` on a throwaway parameter (the engine is
    the one judge of each setting's range); RunConfigError at ``where(setting)``
    (default: the setting's place in a run config)."""
    if name not in OPTIMIZERS:
        raise RunConfigError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}", ("optimizer",))
    try:
        make_optimizer(name, [Tensor(np.zeros(1, np.float32), requires_grad=True)], **settings)
    except SettingError as exc:
        raise RunConfigError(str(exc), where(exc.setting)) from None
    except (ValueError, TypeError) as exc:
        raise RunConfigError(str(exc), where(None)) from None


def optimizer_settings(config: Mapping[str, Any]) -> dict[str, Any]:
    """The optimizer's settings in a run config's dict: the top-level ones
    (TOP_LEVEL_OPTIMIZER_KEYS) and optimizer_params, in one flat dict."""
    return {**{key: config[key] for key in TOP_LEVEL_OPTIMIZER_KEYS}, **(config.get("optimizer_params") or {})}


def merge_optimizer_settings(train: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a run's config dict with optimizer ``settings`` applied where they live."""
    out = dict(train, optimizer_params=dict(train.get("optimizer_params") or {}))
    for key, value in settings.items():
        if key in TOP_LEVEL_OPTIMIZER_KEYS:
            out[key] = value
        else:
            out["optimizer_params"][key] = value
    return out
