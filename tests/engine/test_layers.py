"""The LAYERS table (catalog served by the API) and the layer classes' forward passes."""
import json

import numpy as np
import pytest

from playground.engine import init, losses, ops
from playground.engine.layers import ACTIVATIONS, INIT_NAMES, LAYERS, layer_catalog
from playground.engine.model import build_model
from playground.engine.spec import LOSS_NAMES


def test_catalog_is_json_ready_and_complete():
    catalog = json.loads(json.dumps(layer_catalog()))
    types = [entry["type"] for entry in catalog]
    assert types == ["dense", "conv2d", "maxpool2d", "avgpool2d", "flatten", "features", "dropout",
                     "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "linear"]
    by_type = {entry["type"]: entry for entry in catalog}
    dense = {p["name"]: p for p in by_type["dense"]["params"]}
    assert dense["units"]["required"] and dense["units"]["minimum"] == 1
    assert dense["kernel_init"]["default"] == "glorot_uniform"
    assert set(dense["kernel_init"]["choices"]) == set(init.INITIALIZERS)
    conv = {p["name"]: p for p in by_type["conv2d"]["params"]}
    assert conv["kernel_size"]["default"] == 3 and conv["padding"]["choices"] == ["valid", "same"]
    assert conv["kernel_init"]["default"] == "he_normal"
    rate = by_type["dropout"]["params"][0]
    assert (rate["default"], rate["minimum"], rate["maximum"], rate["exclusive_maximum"]) == (0.5, 0, 1, True)
    assert by_type["leaky_relu"]["params"][0]["default"] == 0.01
    assert by_type["conv2d"]["has_weights"] and not by_type["relu"]["has_weights"]
    for entry in catalog:
        assert entry["description"]
        for p in entry["params"]:
            assert p["type"] in ("int", "float", "bool", "choice") and p["description"]


def test_names_agree_with_the_engine_tables():
    assert set(INIT_NAMES) == set(init.INITIALIZERS)
    assert set(ACTIVATIONS) == set(ops.ACTIVATIONS)
    assert set(LOSS_NAMES) == set(losses.LOSSES)
    assert set(ACTIVATIONS) <= set(LAYERS)


def _mlp(activation_layer: dict, input_dim=5):
    return build_model({"input_shape": [input_dim],
                        "layers": [{"type": "dense", "units": 4}, activation_layer], "loss": "mse"},
                       seed=3, dtype=np.float64)


def test_dense_is_x_at_w_plus_b():
    model = _mlp({"type": "linear"})
    x = np.random.default_rng(0).normal(size=(6, 5))
    w, b = model.layers[0].weight.data, model.layers[0].bias.data
    assert w.shape == (5, 4) and b.shape == (4,)
    np.testing.assert_allclose(model(x).data, x @ w + b)


@pytest.mark.parametrize("layer,fn", [
    ({"type": "relu"}, lambda z: np.maximum(z, 0)),
    ({"type": "leaky_relu", "alpha": 0.2}, lambda z: np.where(z > 0, z, 0.2 * z)),
    ({"type": "sigmoid"}, lambda z: 1 / (1 + np.exp(-z))),
    ({"type": "tanh"}, np.tanh),
    ({"type": "softmax"}, lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)),
    ({"type": "linear"}, lambda z: z),
])
def test_activation_layers(layer, fn):
    model = _mlp(layer)
    x = np.random.default_rng(1).normal(size=(6, 5))
    z = x @ model.layers[0].weight.data + model.layers[0].bias.data
    np.testing.assert_allclose(model(x).data, fn(z), rtol=1e-12, atol=1e-12)


def test_activation_inside_dense_equals_separate_layer():
    inline = build_model({"input_shape": [5], "layers": [{"type": "dense", "units": 4, "activation": "tanh"}],
                          "loss": "mse"}, seed=3)
    separate = _mlp({"type": "tanh"})
    x = np.random.default_rng(2).normal(size=(3, 5)).astype(np.float32)
    np.testing.assert_allclose(inline(x).data, separate(x).data, rtol=1e-5)
    assert inline.layers[0].activation == "tanh"


def test_dropout_inverted_and_only_when_training():
    model = build_model({"input_shape": [1000], "layers": [{"type": "dropout", "rate": 0.25}], "loss": "mse"},
                        seed=0)
    x = np.ones((20, 1000), np.float32)
    np.testing.assert_array_equal(model(x).data, x)
    y = model(x, training=True).data
    kept = y != 0
    assert 0.72 < kept.mean() < 0.78
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)


def test_flatten_uses_nhwc_order():
    model = build_model({"input_shape": [2, 3, 4], "layers": [{"type": "flatten"}], "loss": "mse"})
    x = np.arange(2 * 24, dtype=np.float32).reshape(2, 2, 3, 4)
    np.testing.assert_array_equal(model(x).data, x.reshape(2, -1))
