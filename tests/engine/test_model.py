"""build_model and Model: determinism, parameter names, the fast plan against
the layers' reference forward, traces, probabilities and strict state dicts."""
import numpy as np
import pytest

from playground.engine.losses import softmax_cross_entropy
from playground.engine.model import Model, WeightsError, build_model
from playground.engine.numeric import gradient_check
from playground.engine.spec import SpecError
from playground.engine.tensor import Tensor, no_grad

LENET = {"input_shape": [28, 28, 1],
         "layers": [{"type": "conv2d", "filters": 8, "kernel_size": 5, "padding": "same"}, {"type": "relu"},
                    {"type": "maxpool2d"},
                    {"type": "conv2d", "filters": 16, "kernel_size": 5, "padding": "same"}, {"type": "relu"},
                    {"type": "maxpool2d"}, {"type": "flatten"}, {"type": "dense", "units": 10}]}

# Every spatial layer kind, SAME and VALID, stride 2 on an odd size, activations
# inside and between conv layers, softmax over channels, a swap-eligible
# leaky_relu -> maxpool pair, dropout inside the stack.
MIXED = {"input_shape": [9, 9, 2],
         "layers": [{"type": "tanh"},
                    {"type": "conv2d", "filters": 3, "kernel_size": 3, "stride": 2, "padding": "same"},
                    {"type": "leaky_relu", "alpha": 0.1},
                    {"type": "maxpool2d", "pool_size": 2, "stride": 1, "padding": "same"},
                    {"type": "conv2d", "filters": 4, "kernel_size": 2, "activation": "sigmoid"},
                    {"type": "dropout", "rate": 0.3},
                    {"type": "softmax"},
                    {"type": "avgpool2d", "pool_size": 2, "padding": "same"},
                    {"type": "flatten"},
                    {"type": "dense", "units": 5, "activation": "relu"},
                    {"type": "dense", "units": 3}]}


def _images(n, shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).normal(size=(n, *shape)).astype(dtype)


def test_named_parameters_follow_spec_indices():
    model = build_model(LENET, seed=0)
    assert [(k, t.shape) for k, t in model.named_parameters()] == [
        ("layers.0.weight", (5, 5, 1, 8)), ("layers.0.bias", (8,)),
        ("layers.3.weight", (5, 5, 8, 16)), ("layers.3.bias", (16,)),
        ("layers.7.weight", (784, 10)), ("layers.7.bias", (10,))]
    assert model.num_params == model.report.total_params == 11274
    assert all(t.requires_grad and t.dtype == np.float32 for t in model.parameters())
    no_bias = build_model({"input_shape": [3], "layers": [{"type": "dense", "units": 2, "use_bias": False}]})
    assert [k for k, _ in no_bias.named_parameters()] == ["layers.0.weight"]


def test_build_is_deterministic_by_seed_and_rng():
    a, b, c = build_model(LENET, seed=7), build_model(LENET, seed=7), build_model(LENET, seed=8)
    for (ka, ta), (_kb, tb), (_, tc) in zip(a.named_parameters(), b.named_parameters(), c.named_parameters()):
        np.testing.assert_array_equal(ta.data, tb.data)
        if ka.endswith("weight"):
            assert not np.array_equal(ta.data, tc.data)
    d = build_model(LENET, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(d.parameters()[0].data, a.parameters()[0].data)
    with pytest.raises(ValueError):
        build_model(LENET, rng=np.random.default_rng(0), seed=0)
    with pytest.raises(SpecError):
        build_model({"input_shape": [3], "layers": [{"type": "dense"}]})


def test_initializers_scale():
    model = build_model({"input_shape": [400], "layers": [
        {"type": "dense", "units": 300, "kernel_init": "normal", "init_stddev": 0.2, "bias_init": "normal"},
        {"type": "dense", "units": 200}]}, seed=0)
    w0, b0, w1, b1 = model.parameters()
    assert abs(w0.data.std() - 0.2) < 0.01 and b0.data.std() > 0.1
    limit = np.sqrt(6 / (300 + 200))
    assert np.abs(w1.data).max() <= limit and np.abs(w1.data).max() > 0.9 * limit
    assert not b1.data.any()


def _loss_and_grads(model, x, labels):
    for t in model.parameters():
        t.grad = None
    xt = Tensor(x, requires_grad=True)
    loss = softmax_cross_entropy(model(xt, training=False), labels)
    loss.backward()
    return loss.item(), xt.grad, [t.grad for t in model.parameters()]


@pytest.mark.parametrize("spec", [LENET, MIXED], ids=["lenet", "mixed"])
def test_fast_plan_matches_the_reference_layers(spec):
    fast = build_model(spec, seed=1, dtype=np.float64)
    ref = build_model(spec, seed=1, dtype=np.float64)
    ref.fast = False
    assert fast.fast and not ref.fast
    shape = tuple(spec["input_shape"])
    x = _images(5, shape, seed=2)
    labels = np.array([0, 1, 2, 1, 0])
    loss_f, dx_f, grads_f = _loss_and_grads(fast, x, labels)
    loss_r, dx_r, grads_r = _loss_and_grads(ref, x, labels)
    np.testing.assert_allclose(loss_f, loss_r, rtol=1e-12)
    np.testing.assert_allclose(dx_f, dx_r, rtol=1e-9, atol=1e-12)
    for gf, gr in zip(grads_f, grads_r):
        np.testing.assert_allclose(gf, gr, rtol=1e-9, atol=1e-12)
    for a, b in zip(fast.forward_trace(x), ref.forward_trace(x)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_model_input_gradient_against_central_differences():
    model = build_model(MIXED, seed=3, dtype=np.float64)
    assert gradient_check(lambda t: model(t), [_images(2, (9, 9, 2), seed=4)]) < 1e-6


def test_forward_trace_is_nhwc_and_matches_output():
    model = build_model(MIXED, seed=0)
    x = _images(3, (9, 9, 2), dtype=np.float32)
    trace = model.forward_trace(x)
    assert [t.shape[1:] for t in trace] == [li.output_shape for li in model.report.layers]
    assert all(t.shape[0] == 3 for t in trace)
    np.testing.assert_allclose(trace[-1], model(x).data, rtol=1e-6)
    np.testing.assert_allclose(trace[6].sum(axis=-1), 1.0, rtol=1e-5)  # softmax over channels, NHWC
    np.testing.assert_allclose(trace[0], np.tanh(x), rtol=1e-6)


def test_capture_flag_records_outputs_for_snapshots():
    model = build_model(LENET, seed=0)
    x = _images(4, (28, 28, 1), dtype=np.float32)
    model(x, training=True)
    assert model.last_outputs is None
    model.capture_outputs = True
    out = model(x, training=True)
    relu = model.last_outputs[1]
    assert relu.shape == (4, 28, 28, 8) and relu.min() >= 0
    np.testing.assert_array_equal(model.last_outputs[-1], out.data)
    out2 = model(x, capture=False)
    # float32, and the two paths may sum a convolution's products in another
    # order (the row columns of fast/conv.py): equal to float32 rounding.
    np.testing.assert_allclose(out2.data, out.data, rtol=1e-5, atol=1e-6)


def test_model_ending_in_conv_returns_nhwc():
    model = build_model({"input_shape": [6, 6, 1], "layers": [{"type": "conv2d", "filters": 2}],
                         "loss": "mse"}, seed=0, dtype=np.float64)
    x = _images(2, (6, 6, 1))
    w, b = model.layers[0].weight.data, model.layers[0].bias.data
    windows = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(1, 2))  # (N, 4, 4, C, 3, 3)
    expected = np.einsum("nhwcij,ijcf->nhwf", windows, w) + b
    np.testing.assert_allclose(model(x).data, expected, rtol=1e-12)


def test_predict_proba_and_predict():
    model = build_model(LENET, seed=0)
    x = _images(5, (28, 28, 1), dtype=np.float32)
    proba = model.predict_proba(x, batch_size=2)
    assert proba.shape == (5, 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(model.predict(x), proba.argmax(axis=1))
    binary = build_model({"input_shape": [2], "layers": [{"type": "dense", "units": 1}],
                          "loss": "binary_cross_entropy"}, seed=0)
    p = binary.predict_proba(np.array([[100.0, 0.0], [-100.0, 0.0]]))
    assert p.shape == (2, 1) and np.all((p >= 0) & (p <= 1))
    with no_grad():
        logits = binary(np.array([[1.0, 2.0]])).data
    np.testing.assert_allclose(binary.predict_proba(np.array([[1.0, 2.0]])), 1 / (1 + np.exp(-logits)),
                               rtol=1e-6)


def test_input_shape_checked_and_dtype_cast():
    model = build_model(LENET, seed=0)
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\)"):
        model(np.zeros((2, 784), np.float32))
    assert model(np.zeros((1, 28, 28, 1), np.uint8)).dtype == np.float32


def test_state_dict_round_trip_and_strict_load():
    a, b = build_model(LENET, seed=0), build_model(LENET, seed=1)
    params_before = b.parameters()
    b.load_state_dict(a.state_dict())
    assert all(p is q for p, q in zip(params_before, b.parameters()))  # loaded in place
    for (_, ta), (_, tb) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(ta.data, tb.data)
    state = a.state_dict()
    state["layers.3.weight"] = np.zeros((3, 3, 8, 16), np.float32)
    del state["layers.7.bias"]
    state["layers.9.weight"] = np.zeros(2)
    with pytest.raises(WeightsError) as info:
        b.load_state_dict(state)
    msg = str(info.value)
    assert "missing layers.7.bias" in msg and "unexpected layers.9.weight" in msg
    assert "layers.3.weight: expected shape (5, 5, 8, 16), found (3, 3, 8, 16)" in msg


def test_dropout_uses_model_rng_and_rng_can_be_replaced():
    spec = {"input_shape": [50], "layers": [{"type": "dropout", "rate": 0.5}], "loss": "mse"}
    a, b = build_model(spec, seed=5), build_model(spec, seed=5)
    x = np.ones((4, 50), np.float32)
    np.testing.assert_array_equal(a(x, training=True).data, b(x, training=True).data)
    a.rng = np.random.default_rng(99)
    b.rng = np.random.default_rng(99)
    np.testing.assert_array_equal(a(x, training=True).data, b(x, training=True).data)
    assert isinstance(a, Model) and a.layers[0].rng is a.rng
