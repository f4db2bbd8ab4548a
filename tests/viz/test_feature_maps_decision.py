"""viz.feature_maps and viz.decision on small real engine models."""

import numpy as np

from playground.engine.model import build_model
from playground.viz.decision import decision_grid, grid_bounds
from playground.viz.feature_maps import feature_maps, top_channels

CNN = {
    "input_shape": [8, 8, 1],
    "layers": [
        {"type": "conv2d", "filters": 3, "kernel_size": 3, "padding": "same"},
        {"type": "relu"},
        {"type": "maxpool2d", "pool_size": 2},
        {"type": "flatten"},
        {"type": "dense", "units": 4},
    ],
}


def test_top_channels_order():
    top = top_channels(np.array([0.1, 0.9, -1.0, 0.5]), 2)
    assert [t["channel"] for t in top] == [1, 3]


def test_feature_maps_shapes_and_values():
    model = build_model(CNN, seed=0)
    x = np.random.default_rng(0).random((8, 8, 1), dtype=np.float32)
    layers = feature_maps(model, x, top_k=2)
    assert [layer["type"] for layer in layers] == ["conv2d", "relu", "maxpool2d", "flatten", "dense"]
    conv = layers[0]
    assert conv["shape"] == [8, 8, 3] and np.array(conv["maps"]).shape == (3, 8, 8)
    assert len(conv["top"]) == 2
    assert np.array(layers[2]["maps"]).shape == (3, 4, 4)
    dense = layers[4]
    expected = model.outputs(x[None])[0]
    assert np.allclose(dense["values"], expected, atol=1e-5)
    assert dense["top"][0]["channel"] == int(np.argmax(expected))


def test_decision_grid_binary():
    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 1}], "loss": "binary_cross_entropy"}
    model = build_model(spec, seed=0)
    points = np.array([[-1.0, -1.0], [1.0, 2.0]], np.float32)
    out = decision_grid(model, points, resolution=5)
    assert np.array(out["probabilities"]).shape == (5, 5)
    assert out["x_range"][0] < -1 and out["y_range"][1] > 2
    p = np.array(out["probabilities"])
    assert p.min() >= 0 and p.max() <= 1


def test_decision_grid_multiclass_labels():
    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 3}]}
    out = decision_grid(build_model(spec, seed=1), np.zeros((4, 2)), resolution=4)
    assert np.array(out["labels"]).shape == (4, 4) and out["classes"] == 3


def test_grid_bounds_degenerate():
    (x0, x1), (y0, y1) = grid_bounds(np.zeros((3, 2)))
    assert x0 < 0 < x1 and y0 < 0 < y1
    assert grid_bounds(np.zeros((0, 2))) == ((-1.0, 1.0), (-1.0, 1.0))
