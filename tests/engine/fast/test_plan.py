"""The fast plan's layout helpers and its reordering (the whole plan against the
layers' reference forward is in tests/engine/test_model.py)."""

import numpy as np

from playground.engine.fast.plan import flatten_chwn, make_plan, swap_layout
from playground.engine.model import build_model
from playground.engine.tensor import Tensor


def test_layout_helpers_forward_and_backward():
    rng = np.random.default_rng(4)
    x_nhwc = rng.normal(size=(2, 3, 4, 5))
    x = Tensor(np.ascontiguousarray(x_nhwc.transpose(3, 1, 2, 0)), requires_grad=True)
    out = flatten_chwn(x)
    np.testing.assert_array_equal(out.data, x_nhwc.reshape(2, -1))
    g = rng.normal(size=out.shape)
    out.backward(g)
    np.testing.assert_array_equal(x.grad, g.reshape(x_nhwc.shape).transpose(3, 1, 2, 0))

    t = Tensor(x_nhwc.copy(), requires_grad=True)
    swapped = swap_layout(t)
    assert swapped.shape == (5, 3, 4, 2) and swapped.data.flags.c_contiguous
    back = swap_layout(swapped)
    np.testing.assert_array_equal(back.data, x_nhwc)
    back.backward(np.ones_like(x_nhwc) * 2)
    np.testing.assert_array_equal(t.grad, np.full(x_nhwc.shape, 2.0))


def test_relu_moves_after_max_pool_and_layouts_switch_once():
    spec = {"input_shape": [8, 8, 1], "layers": [
        {"type": "conv2d", "filters": 2, "kernel_size": 3, "padding": "same"}, {"type": "relu"},
        {"type": "maxpool2d"}, {"type": "flatten"}, {"type": "dense", "units": 3}]}
    model = build_model(spec, seed=0)
    plan = make_plan(model.layers)
    names = [getattr(s, "__name__", "") for s in plan]
    assert names.count("swap_layout") == 1 and names[0] == "swap_layout"
    assert "flatten_chwn" in names
    # The relu step now comes after the pool step: feed a probe through both orders.
    x = Tensor(np.random.default_rng(0).normal(size=(2, 8, 8, 1)).astype(np.float32))
    np.testing.assert_allclose(model(x).data, build_model(spec, seed=0).__call__(x).data)
    model.fast = False
    np.testing.assert_allclose(model(x).data, build_model(spec, seed=0)(x).data, rtol=1e-5, atol=1e-6)
    assert len(plan) == 6      # swap, conv, pool, relu, flatten, dense


def test_a_layer_without_a_fast_version_runs_nhwc_between_two_swaps():
    spec = {"input_shape": [6, 6, 2], "layers": [
        {"type": "conv2d", "filters": 3, "kernel_size": 3}, {"type": "maxpool2d"}], "loss": "mse"}
    model = build_model(spec, seed=1, dtype=np.float64)
    seen = []

    class Probe:                       # a layer type the fast plan does not know
        type = "probe"

        def forward(self, h, training):
            seen.append(h.shape)
            return h

    layers = [model.layers[0], Probe(), model.layers[1]]
    names = [getattr(s, "__name__", "") for s in make_plan(layers)]
    assert names == ["swap_layout", "conv", "swap_layout", "forward", "swap_layout", "<lambda>",
                     "swap_layout"]
    x = Tensor(np.random.default_rng(2).normal(size=(3, 6, 6, 2)))
    h = x
    for step in make_plan(layers):
        h = step(h, False)
    assert seen == [(3, 4, 4, 3)]      # the probe saw NHWC
    ref = model.layers[1].forward(model.layers[0].forward(x, False), False)
    np.testing.assert_allclose(h.data, ref.data, rtol=1e-12, atol=1e-12)


def test_an_option_the_fast_steps_do_not_know_falls_back_to_the_reference():
    spec = {"input_shape": [6, 6, 1], "layers": [
        {"type": "conv2d", "filters": 2, "kernel_size": 3}, {"type": "maxpool2d"}], "loss": "mse"}
    model = build_model(spec, seed=0)
    model.layers[1].config = {**model.layers[1].config, "antialias": True}
    names = [getattr(s, "__name__", "") for s in make_plan(model.layers)]
    assert names == ["swap_layout", "conv", "swap_layout", "forward"]
    model.layers[1].config = {**model.layers[1].config, "antialias": False}
    names = [getattr(s, "__name__", "") for s in make_plan(model.layers)]
    assert names == ["swap_layout", "conv", "<lambda>", "swap_layout"]
