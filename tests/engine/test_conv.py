"""The reference conv2d against direct loops (and PyTorch when installed),
gradients against central differences, window geometry against the
course-notes formula. The fast kernels are checked against it in
tests/engine/fast/test_conv.py."""

import math

import numpy as np
import pytest
from engine_helpers import CONV_CASES, central_grad

from playground.engine import conv
from playground.engine.tensor import Tensor, no_grad

# The shared geometries, and one first layer of an MNIST CNN.
CASES = [*CONV_CASES, (1, 28, 28, 1, 8, 5, 1, "same")]


def tf_same(n, k, s):
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def reference_conv(x, w, b, stride, padding):
    """Direct loops over output pixels, float64: the definition from the notes."""
    n, h, wd, c = x.shape
    kh, kw, _, f = w.shape
    ph = tf_same(h, kh, stride) if padding == "same" else (0, 0)
    pw = tf_same(wd, kw, stride) if padding == "same" else (0, 0)
    xp = np.zeros((n, h + sum(ph), wd + sum(pw), c))
    xp[:, ph[0]:ph[0] + h, pw[0]:pw[0] + wd] = x
    oh = (xp.shape[1] - kh) // stride + 1
    ow = (xp.shape[2] - kw) // stride + 1
    out = np.zeros((n, oh, ow, f))
    for r in range(oh):
        for q in range(ow):
            patch = xp[:, r * stride:r * stride + kh, q * stride:q * stride + kw, :]
            out[:, r, q, :] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out if b is None else out + b


def make(case, seed=0, dtype=np.float64):
    n, h, w, c, f, k, s, p = case
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, h, w, c)).astype(dtype), rng.normal(size=(k, k, c, f)).astype(dtype),
            rng.normal(size=f).astype(dtype), s, p)


@pytest.mark.parametrize("case", CASES)
def test_forward_matches_direct_loops(case):
    x, w, b, s, p = make(case)
    out = conv.conv2d(x, w, b, stride=s, padding=p)
    ref = reference_conv(x, w, b, s, p)
    assert out.shape == ref.shape
    np.testing.assert_allclose(out.data, ref, rtol=1e-10, atol=1e-10)
    assert conv.conv2d(x, w, None, s, p).shape == ref.shape


@pytest.mark.parametrize("case", CASES)
def test_forward_and_backward_match_torch(case):
    torch = pytest.importorskip("torch")
    fn = torch.nn.functional
    x, w, b, s, p = make(case, seed=1)
    n, h, wd, c, f, k, _, _ = case
    xt = Tensor(x, requires_grad=True)
    wt = Tensor(w, requires_grad=True)
    bt = Tensor(b, requires_grad=True)
    out = conv.conv2d(xt, wt, bt, stride=s, padding=p)
    g = np.random.default_rng(2).normal(size=out.shape)
    out.backward(g)

    tx = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    tw = torch.tensor(w.transpose(3, 2, 0, 1), requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    (pt, pb), (pl, pr) = conv.same_padding(h, k, s), conv.same_padding(wd, k, s)
    xin = fn.pad(tx, (pl, pr, pt, pb)) if p == "same" else tx
    ref = fn.conv2d(xin, tw, tb, stride=s)
    ref.backward(torch.tensor(g.transpose(0, 3, 1, 2)))
    np.testing.assert_allclose(out.data, ref.detach().numpy().transpose(0, 2, 3, 1), atol=1e-10)
    np.testing.assert_allclose(xt.grad, tx.grad.numpy().transpose(0, 2, 3, 1), atol=1e-10)
    np.testing.assert_allclose(wt.grad, tw.grad.numpy().transpose(2, 3, 1, 0), atol=1e-10)
    np.testing.assert_allclose(bt.grad, tb.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("case", [
    (2, 5, 4, 2, 3, 3, 1, "same"),
    (1, 6, 5, 2, 2, 3, 2, "same"),
    (2, 5, 5, 1, 2, 2, 2, "valid"),
    (1, 4, 5, 3, 2, 1, 1, "valid"),
    (1, 7, 6, 2, 2, 2, 3, "same"),
])
def test_backward_matches_central_differences(case):
    x, w, b, s, p = make(case, seed=3)
    weights = np.random.default_rng(4).normal(size=reference_conv(x, w, b, s, p).shape)

    def loss():
        with no_grad():
            return float((conv.conv2d(x, w, b, s, p).data * weights).sum())

    xt, wt, bt = (Tensor(a, requires_grad=True) for a in (x, w, b))
    conv.conv2d(xt, wt, bt, s, p).backward(weights)
    for tensor, arr in ((xt, x), (wt, w), (bt, b)):
        np.testing.assert_allclose(tensor.grad, central_grad(loss, arr), rtol=1e-6, atol=1e-7)


def test_float32_stays_float32_and_constant_input_gets_no_gradient():
    x, w, b, s, p = make(CASES[0], dtype=np.float32)
    wt = Tensor(w, requires_grad=True)
    out = conv.conv2d(x, wt, b, s, p)
    assert out.dtype == np.float32
    out.sum().backward()
    assert wt.grad.dtype == np.float32 and wt.grad.shape == w.shape
    np.testing.assert_allclose(out.data, reference_conv(x, w, b, s, p), rtol=1e-4, atol=1e-4)


def test_geometry_table_matches_the_course_notes_formula():
    # n, k, s -> VALID and SAME output sizes; SAME pads (before, after).
    for n in range(1, 13):
        for k in range(1, 7):
            for s in range(1, 5):
                before, after = conv.same_padding(n, k, s)
                assert (before, after) == tf_same(n, k, s)
                assert after - before in (0, 1)
                # The notes: w' = (w - f + 2p) / s + 1, floored, with 2p the total padding.
                assert conv.conv_output_size(n, k, s, "same") == (n - k + before + after) // s + 1
                assert conv.conv_output_size(n, k, s, "same") == math.ceil(n / s)
                if k <= n:
                    assert conv.conv_output_size(n, k, s, "valid") == (n - k) // s + 1
                else:
                    with pytest.raises(ValueError, match="larger than its input"):
                        conv.conv_output_size(n, k, s, "valid")
    table = {(28, 5, 1): (2, 2), (28, 3, 2): (0, 1), (7, 2, 2): (0, 1), (5, 1, 1): (0, 0), (4, 4, 4): (0, 0)}
    for (n, k, s), pads in table.items():
        assert conv.same_padding(n, k, s) == pads
    assert conv.conv_output_size(28, 5, 1, "SAME") == 28
    assert conv.conv_output_size(32, 5, 1, "valid") == 28


def test_bad_arguments_are_refused():
    x, w, b, _, _ = make((1, 6, 6, 2, 3, 3, 1, "same"))
    with pytest.raises(ValueError, match="channels"):
        conv.conv2d(x, w[:, :, :1], b)
    with pytest.raises(ValueError, match="padding"):
        conv.conv2d(x, w, b, padding="full")
    with pytest.raises(ValueError, match="stride"):
        conv.conv2d(x, w, b, stride=0)
    with pytest.raises(ValueError, match="larger than its input"):
        conv.conv2d(x[:, :2], w, b)
    with pytest.raises(ValueError, match="bias"):
        conv.conv2d(x, w, b[:2])
    with pytest.raises(ValueError, match="4-D"):
        conv.conv2d(x[0], w, b)
