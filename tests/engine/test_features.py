"""The `features` layer: TensorFlow Playground's input features of a 2-D point."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine.data.registry import load_dataset
from playground.engine.features import FEATURES, features
from playground.engine.model import build_model
from playground.engine.spec import SpecError, validate_spec
from playground.engine.train import TrainConfig, Trainer


def spec(feats: dict, layers=({"type": "dense", "units": 2},)) -> dict:
    return {"input_shape": [2], "layers": [{"type": "features", **feats}, *layers], "loss": "softmax_cross_entropy"}


def test_each_feature_is_what_its_name_says():
    x = np.array([[0.5, -2.0], [3.0, 1.0]], np.float32)
    out = features(x, tuple(FEATURES))
    a, b = x[:, 0], x[:, 1]
    np.testing.assert_allclose(out, np.stack([a, b, a * a, b * b, a * b, np.sin(a), np.sin(b)], 1), rtol=1e-6)


def test_the_layer_outputs_the_chosen_features_in_table_order():
    report = validate_spec(spec({"x1": False, "x2_sq": True, "x1_sq": True}))
    assert report.layers[0].output_shape == (3,) and report.layers[0].detail["features"] == ["x2", "x1_sq", "x2_sq"]
    model = build_model(spec({"x1": False, "x2_sq": True, "x1_sq": True}), seed=0)
    x = np.array([[2.0, 3.0]], np.float32)
    np.testing.assert_allclose(model.forward_trace(x)[0], [[3.0, 4.0, 9.0]])


def test_features_must_come_first_on_points_and_choose_something():
    with pytest.raises(SpecError, match="first layer"):
        validate_spec({"input_shape": [2], "layers": [{"type": "dense", "units": 2}, {"type": "features"}]})
    with pytest.raises(SpecError, match="first layer"):
        validate_spec({"input_shape": [3], "layers": [{"type": "features"}, {"type": "dense", "units": 2}]})
    with pytest.raises(SpecError, match="at least one"):
        validate_spec(spec({"x1": False, "x2": False}))


def test_squares_let_one_linear_layer_separate_the_circle():
    ds = load_dataset("circle", seed=0)
    plain = Trainer(build_model(spec({}), seed=0), ds, TrainConfig(steps=300, batch_size=16, optimizer="adam", lr=0.05)).run()
    squares = Trainer(build_model(spec({"x1": False, "x2": False, "x1_sq": True, "x2_sq": True}), seed=0), ds,
                      TrainConfig(steps=300, batch_size=16, optimizer="adam", lr=0.05)).run()
    assert plain["test"]["accuracy"] < 0.75 and squares["test"]["accuracy"] > 0.95
