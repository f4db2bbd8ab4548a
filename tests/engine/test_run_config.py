"""The run configuration (engine/run_config.py): one definition, checked when made,
errors carrying the field; and the one check that a spec fits a dataset (engine/fit.py)."""

import dataclasses
import math

import pytest

from playground.engine.fit import check_fit
from playground.engine.optim import OPTIMIZERS
from playground.engine.run_config import (
    API_FIELDS,
    BY_NAME,
    CLI_FIELDS,
    FIELDS,
    RunConfig,
    RunConfigError,
    Setting,
    merge_optimizer_settings,
)
from playground.engine.schedules import LR_SCHEDULES
from playground.engine.spec import validate_spec


def bad_values(s: Setting) -> list:
    """Values the definition of ``s`` refuses, derived from its kind and bounds."""
    if s.kind is bool:
        return [1, "yes"]
    if s.kind is str:
        return ["no-such-" + s.name, 3]
    if s.kind is dict:
        return [[1, 2], "x"]
    out: list = ["1", True, math.nan, math.inf]
    if s.low is not None:
        out.append(s.low if s.low_open else s.low - 1)
    if s.high is not None:
        out.append(s.high * 2 + 1)
    if s.kind is int:
        out.append(1.5)
    return out


def test_fields_are_the_dataclass_fields_with_their_defaults():
    assert [s.name for s in FIELDS] == [f.name for f in dataclasses.fields(RunConfig)]
    default = RunConfig()
    for s in FIELDS:
        assert getattr(default, s.name) == s.default, s.name
        assert s.help, s.name
    assert BY_NAME["optimizer"].choices == tuple(sorted(OPTIMIZERS))
    assert BY_NAME["lr_schedule"].choices == tuple(sorted(LR_SCHEDULES))
    assert BY_NAME["steps"].optional and not BY_NAME["epochs"].optional
    assert {s.name for s in API_FIELDS} == {"epochs", "steps", "batch_size", "optimizer", "lr", "lr_schedule",
                                            "optimizer_params", "weight_decay", "steps_per_second", "seed",
                                            "shuffle"}
    assert "threads" in {s.name for s in CLI_FIELDS} and "optimizer_params" not in {s.name for s in CLI_FIELDS}


@pytest.mark.parametrize("setting", FIELDS, ids=lambda s: s.name)
def test_each_bad_value_is_refused_at_its_field(setting):
    for value in bad_values(setting):
        with pytest.raises(RunConfigError) as err:
            RunConfig.from_dict({setting.name: value, "steps": 5} if setting.name != "steps"
                                else {setting.name: value})
        assert err.value.field == (setting.name,), (value, err.value.message)
        assert setting.name in err.value.message


def test_bounds_are_inclusive_or_open_as_written():
    assert RunConfig(lr=100).lr == 100.0 and isinstance(RunConfig(lr=1).lr, float)
    assert RunConfig(seed=2**32 - 1).seed == 2**32 - 1
    assert RunConfig(weight_decay=0).weight_decay == 0.0
    with pytest.raises(RunConfigError, match=r"lr must be a number in \(0, 100\], not 0"):
        RunConfig(lr=0)


def test_epochs_and_steps_rule():
    """steps, when given, replaces epochs (which may then be 0); without steps epochs >= 1."""
    assert RunConfig(epochs=0, steps=3).steps == 3
    with pytest.raises(RunConfigError) as err:
        RunConfig(epochs=0)
    assert err.value.field == ("epochs",) and "steps" in err.value.message
    with pytest.raises(RunConfigError) as err:
        RunConfig(steps=0)
    assert err.value.field == ("steps",)


def test_optimizer_settings_are_judged_by_the_optimizer_at_their_place():
    cfg = RunConfig(optimizer="momentum", optimizer_params={"momentum": 0.5, "nesterov": True})
    assert cfg.optimizer_settings() == {"lr": 0.01, "weight_decay": 0.0, "momentum": 0.5, "nesterov": True}
    cases = [({"optimizer": "momentum", "optimizer_params": {"momentum": 1.5}}, ("optimizer_params", "momentum")),
             ({"optimizer": "sgd", "optimizer_params": {"momentum": 0.5}}, ("optimizer_params", "momentum")),
             ({"optimizer": "adam", "optimizer_params": {"lr": 0.5}}, ("optimizer_params", "lr")),
             ({"optimizer": "adam", "optimizer_params": {"eps": -1.0}}, ("optimizer_params", "eps"))]
    for values, field in cases:
        with pytest.raises(RunConfigError) as err:
            RunConfig.from_dict(values)
        assert err.value.field == field, err.value.message


def test_from_dict_fills_defaults_and_to_dict_gives_the_api_keys():
    cfg = RunConfig.from_dict({"epochs": 2, "steps": None, "optimizer_params": None, "unknown": 1})
    assert cfg == RunConfig(epochs=2)
    assert list(cfg.to_dict()) == [s.name for s in API_FIELDS]
    assert RunConfig.from_dict(cfg.to_dict()) == cfg
    merged = merge_optimizer_settings(cfg.to_dict(), {"lr": 0.5, "momentum": 0.9})
    assert merged["lr"] == 0.5 and merged["optimizer_params"] == {"momentum": 0.9}
    assert cfg.optimizer_params == {}  # the copy was changed, not the config


def test_run_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        RunConfig().lr = 1.0  # type: ignore[misc]


def test_check_fit_names_the_spec_field():
    clf = validate_spec({"input_shape": [2], "layers": [{"type": "dense", "units": 2}]})
    check_fit(clf, "circle", 2, input_shape=(2,))
    cases = [
        (dict(num_classes=2, input_shape=(3,)), ("spec", "input_shape")),
        (dict(num_classes=3), ("spec", "layers", 0)),
        (dict(num_classes=0), ("spec", "loss")),
    ]
    for kwargs, field in cases:
        with pytest.raises(RunConfigError) as err:
            check_fit(clf, "data", **kwargs)
        assert err.value.field == field, err.value.message
    reg = validate_spec({"input_shape": [1], "layers": [{"type": "dense", "units": 2}], "loss": "mse"})
    with pytest.raises(RunConfigError) as err:
        check_fit(reg, "polynomial", 0, target_size=1)
    assert err.value.field == ("spec", "layers", 0)
    with pytest.raises(RunConfigError) as err:
        check_fit(reg, "circle", 2)
    assert err.value.field == ("spec", "loss")
    bce = validate_spec({"input_shape": [2], "layers": [{"type": "dense", "units": 1}],
                         "loss": "binary_cross_entropy"})
    check_fit(bce, "circle", 2)
    with pytest.raises(RunConfigError) as err:
        check_fit(bce, "spiral3", 3)
    assert err.value.field == ("spec", "loss")
