"""Per-unit views: each hidden unit's output over the input plane (or line), dead
ReLU units judged on the training data, incoming weights, the readout weights."""

from __future__ import annotations

import numpy as np

from playground.engine.model import build_model
from playground.viz.units import GRID_2D, hidden_layers, unit_views

SPEC_2D = {"input_shape": [2], "layers": [{"type": "dense", "units": 3}, {"type": "relu"},
                                          {"type": "dense", "units": 2}], "loss": "softmax_cross_entropy"}


def test_hidden_layers_are_seen_after_their_activation():
    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 4}, {"type": "tanh"},
                                           {"type": "dense", "units": 4, "activation": "relu"},
                                           {"type": "dense", "units": 4}, {"type": "dense", "units": 2}]}
    assert hidden_layers(spec) == [(0, 1, "tanh"), (2, 2, "relu"), (3, 3, None)]


def test_unit_images_match_a_forward_pass_and_dead_means_zero_on_all_data():
    model = build_model(SPEC_2D, seed=0)
    w = model.layers[0].weight.data
    b = model.layers[0].bias.data
    b[1] = -100.0  # unit 1 can never fire on data in [-1, 1]^2: dead
    x = np.random.default_rng(0).uniform(-1, 1, (300, 2)).astype(np.float32)
    v = unit_views(model, x)
    layer = v["layers"][0]
    assert v["kind"] == "2d" and layer["activation"] == "relu" and layer["dead"] == 1
    assert layer["units"][1]["dead"] and not any(np.array(layer["units"][1]["values"]).ravel())
    # pixel (row r, col c) is the unit's output at grid point (x_c, y_r), row 0 at the lowest y
    xs = np.linspace(*v["x_range"], GRID_2D)
    ys = np.linspace(*v["y_range"], GRID_2D)
    expect = max(0.0, xs[5] * w[0, 0] + ys[7] * w[1, 0] + b[0])
    assert abs(layer["units"][0]["values"][7][5] - expect) < 0.01
    assert np.allclose(layer["units"][0]["weights"], w[:, 0], atol=1e-4)
    assert np.array(v["readout"]["weights"]).shape == (3, 2)


def test_one_input_gives_curves_and_images_give_nothing():
    spec = {"input_shape": [1], "layers": [{"type": "dense", "units": 5}, {"type": "tanh"}, {"type": "dense", "units": 1}], "loss": "mse"}
    v = unit_views(build_model(spec, seed=1), np.linspace(-2, 2, 50)[:, None])
    assert v["kind"] == "1d" and len(v["x"]) == len(v["layers"][0]["units"][0]["values"])
    mnist = {"input_shape": [28, 28, 1], "layers": [{"type": "flatten"}, {"type": "dense", "units": 10}]}
    assert unit_views(build_model(mnist, seed=0), np.zeros((2, 28, 28, 1))) is None


def test_dead_units_are_judged_in_chunks_with_the_same_answer(monkeypatch):
    # The dead test reads every training point, a chunk at a time (a whole trace of
    # 20,000 points through wide layers held ~500 MB). A unit alive on one point of
    # the last chunk only must still count as alive.
    import playground.viz.units as units

    model = build_model(SPEC_2D, seed=0)
    w, b = model.layers[0].weight.data, model.layers[0].bias.data
    w[:, 2], b[2] = (1.0, 1.0), -1.5      # fires only where x1 + x2 > 1.5
    x = np.zeros((301, 2), np.float32)
    x[-1] = (1.0, 1.0)
    whole = unit_views(model, x)
    monkeypatch.setattr(units, "inference_chunk", lambda spec: 7)
    chunked = unit_views(model, x)
    assert [u["dead"] for u in chunked["layers"][0]["units"]] == [u["dead"] for u in whole["layers"][0]["units"]]
    assert not chunked["layers"][0]["units"][2]["dead"]
    assert chunked == whole
