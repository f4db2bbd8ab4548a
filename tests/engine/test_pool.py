"""The reference max_pool2d / avg_pool2d against direct loops and PyTorch,
gradients against central differences, and the documented tie rule. The fast
kernels are checked against them in tests/engine/fast/test_pool.py."""

import math

import numpy as np
import pytest
from engine_helpers import POOL_CASES, central_grad

from playground.engine import conv
from playground.engine.tensor import Tensor, no_grad

CASES = [*POOL_CASES, (2, 28, 28, 4, 2, 2, "valid")]


def tf_same(n, k, s):
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def reference_pool(x, k, s, padding, kind):
    """Direct loops; SAME windows only see real inputs (TensorFlow's rule)."""
    s = k if s is None else s
    n, h, w, c = x.shape
    ph = tf_same(h, k, s) if padding == "same" else (0, 0)
    pw = tf_same(w, k, s) if padding == "same" else (0, 0)
    oh = (h + sum(ph) - k) // s + 1
    ow = (w + sum(pw) - k) // s + 1
    out = np.zeros((n, oh, ow, c))
    for r in range(oh):
        for q in range(ow):
            r0, q0 = r * s - ph[0], q * s - pw[0]
            win = x[:, max(r0, 0):r0 + k, max(q0, 0):q0 + k, :]
            out[:, r, q] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    return out


OPS = {"max": (conv.max_pool2d,), "avg": (conv.avg_pool2d,)}


def make(case, seed=0):
    n, h, w, c, k, s, p = case
    return np.random.default_rng(seed).normal(size=(n, h, w, c)), k, s, p


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", CASES)
def test_forward_matches_direct_loops(case, kind):
    x, k, s, p = make(case)
    out = OPS[kind][0](x, k, s, p)
    ref = reference_pool(x, k, s, p, kind)
    assert out.shape == ref.shape
    np.testing.assert_allclose(out.data, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", [c for c in CASES if c[6] == "valid"])
def test_valid_pooling_matches_torch(case, kind):
    torch = pytest.importorskip("torch")
    x, k, s, p = make(case, seed=1)
    xt = Tensor(x, requires_grad=True)
    out = OPS[kind][0](xt, k, s, p)
    g = np.random.default_rng(2).normal(size=out.shape)
    out.backward(g)
    tx = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    fn = torch.nn.functional.max_pool2d if kind == "max" else torch.nn.functional.avg_pool2d
    ref = fn(tx, k, k if s is None else s)
    ref.backward(torch.tensor(g.transpose(0, 3, 1, 2)))
    np.testing.assert_allclose(out.data, ref.detach().numpy().transpose(0, 2, 3, 1), atol=1e-12)
    np.testing.assert_allclose(xt.grad, tx.grad.numpy().transpose(0, 2, 3, 1), atol=1e-12)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", [(1, 5, 4, 2, 2, None, "same"), (2, 5, 5, 1, 3, 2, "valid"),
                                  (1, 5, 6, 2, 3, 1, "same"), (1, 4, 4, 2, 2, None, "valid")])
def test_backward_matches_central_differences(case, kind):
    x, k, s, p = make(case, seed=3)  # distinct values: no ties, max is differentiable
    weights = np.random.default_rng(4).normal(size=reference_pool(x, k, s, p, kind).shape)

    def loss():
        with no_grad():
            return float((OPS[kind][0](x, k, s, p).data * weights).sum())

    xt = Tensor(x, requires_grad=True)
    OPS[kind][0](xt, k, s, p).backward(weights)
    np.testing.assert_allclose(xt.grad, central_grad(loss, x), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("stride", [2, 1])
def test_ties_send_the_gradient_to_the_first_maximum_only(stride):
    # All-equal windows (what ReLU leaves as zeros): each window's gradient goes
    # once, to its top-left-most maximum in row-major order, as in PyTorch.
    x = np.zeros((1, 4, 4, 1))
    xt = Tensor(x, requires_grad=True)
    out = conv.max_pool2d(xt, 2, stride)
    out.backward(np.ones(out.shape))
    expected = np.zeros((4, 4))
    for r in range(out.shape[1]):
        for q in range(out.shape[2]):
            expected[r * stride, q * stride] += 1
    np.testing.assert_array_equal(xt.grad[0, :, :, 0], expected)
    assert xt.grad.sum() == out.size
    torch = pytest.importorskip("torch")
    tx = torch.zeros((1, 1, 4, 4), dtype=torch.float64, requires_grad=True)
    torch.nn.functional.max_pool2d(tx, 2, stride).sum().backward()
    np.testing.assert_array_equal(tx.grad.numpy()[0, 0], expected)


def test_same_max_pool_never_picks_padding():
    x = -np.ones((1, 3, 3, 1))
    out = conv.max_pool2d(x, 2, 2, "same")
    np.testing.assert_array_equal(out.data, -np.ones((1, 2, 2, 1)))


def test_bad_arguments_are_refused():
    x = np.zeros((1, 4, 4, 1))
    with pytest.raises(ValueError, match="pool_size"):
        conv.max_pool2d(x, 0)
    with pytest.raises(ValueError, match="stride"):
        conv.avg_pool2d(x, 2, 0)
    with pytest.raises(ValueError, match="padding"):
        conv.max_pool2d(x, 2, 2, "full")
    with pytest.raises(ValueError, match="larger than its input"):
        conv.max_pool2d(x, 5)
    with pytest.raises(ValueError, match="4-D"):
        conv.avg_pool2d(x[0])
