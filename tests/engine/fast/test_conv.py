"""The fast batch-innermost convolution against the reference engine.conv.conv2d
(itself checked against direct loops and PyTorch in tests/engine/test_conv.py):
float64, SAME and VALID, stride 1, 2 and 3, odd and even sizes, several
channels, the full im2col and the row columns; plus the safety of the reused
work buffers."""

import numpy as np
import pytest
from engine_helpers import CONV_CASES

from playground.engine import conv
from playground.engine.fast import conv as fast_conv
from playground.engine.fast import workspace
from playground.engine.tensor import Tensor

CASES = [
    *CONV_CASES,
    # Stride 1 with KW*C >= 32: products on the row columns (fast/im2col.py).
    (2, 9, 8, 8, 4, 5, 1, "same"),
    (2, 7, 7, 12, 3, 3, 1, "valid"),
    (2, 6, 7, 8, 2, 4, 1, "same"),
    (2, 5, 5, 32, 3, 1, 1, "valid"),
]


def make(case, seed=0, dtype=np.float64):
    n, h, w, c, f, k, s, p = case
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, h, w, c)).astype(dtype), rng.normal(size=(k, k, c, f)).astype(dtype),
            rng.normal(size=f).astype(dtype), s, p)


def to_chwn(a):
    return np.ascontiguousarray(a.transpose(3, 1, 2, 0))


@pytest.mark.parametrize("case", CASES)
def test_fast_equals_reference_forward_and_backward(case):
    x, w, b, s, p = make(case, seed=5)
    xt, wt, bt = (Tensor(a, requires_grad=True) for a in (x, w, b))
    ref = conv.conv2d(xt, wt, bt, s, p)
    g = np.random.default_rng(6).normal(size=ref.shape)
    ref.backward(g)

    xc = Tensor(to_chwn(x), requires_grad=True)
    wc, bc = Tensor(w, requires_grad=True), Tensor(b, requires_grad=True)
    out = fast_conv.conv2d_chwn(xc, wc, bc, s, p)
    assert out.op == "conv2d_chwn" and out.shape == to_chwn(ref.data).shape
    out.backward(to_chwn(g))
    np.testing.assert_allclose(out.data.transpose(3, 1, 2, 0), ref.data, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(xc.grad.transpose(3, 1, 2, 0), xt.grad, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(wc.grad, wt.grad, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(bc.grad, bt.grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("channels", [2, 12])      # full im2col, row columns
def test_interleaved_forwards_do_not_overwrite_each_other(channels):
    """Reused work buffers: a result still held by the graph is never handed out
    again, so step 1's forward and backward survive step 2's forward."""
    workspace.clear()
    x1, w, b, s, p = make((2, 8, 8, channels, 3, 3, 1, "same"), seed=7)
    x2 = make((2, 8, 8, channels, 3, 3, 1, "same"), seed=8)[0]
    xc1, xc2 = (Tensor(to_chwn(a), requires_grad=True) for a in (x1, x2))
    wt = Tensor(w, requires_grad=True)
    out1 = fast_conv.conv2d_chwn(xc1, wt, b, s, p)
    out2 = fast_conv.conv2d_chwn(xc2, wt, b, s, p)
    assert not np.shares_memory(out1.data, out2.data)
    np.testing.assert_allclose(out1.data, to_chwn(conv.conv2d(x1, w, b, s, p).data), atol=1e-12)
    np.testing.assert_allclose(out2.data, to_chwn(conv.conv2d(x2, w, b, s, p).data), atol=1e-12)
    # Backward of the first graph after the second forward: its saved columns are intact.
    g = np.ones(out1.shape)
    out1.backward(g)
    grad1 = wt.grad.copy()
    wt.zero_grad()
    ref = Tensor(w, requires_grad=True)
    conv.conv2d(x1, ref, b, s, p).backward(np.ones(g.transpose(3, 1, 2, 0).shape))
    np.testing.assert_allclose(grad1, ref.grad, atol=1e-10)
    # The gradient of the first input is not overwritten by the second backward.
    dx1 = xc1.grad.copy()
    out2.backward(g)
    np.testing.assert_allclose(xc1.grad, dx1)
    assert not np.shares_memory(xc1.grad, xc2.grad)
    # Once the graphs are gone, the buffers are reused instead of piling up.
    del out1, out2
    fast_conv.conv2d_chwn(xc1, wt, b, s, p).backward(g)
    before = workspace.pooled_bytes()
    for _ in range(5):
        fast_conv.conv2d_chwn(xc1, wt, b, s, p).backward(g)
    assert workspace.pooled_bytes() == before


def test_float32_stays_float32():
    x, w, b, s, p = make(CASES[0], dtype=np.float32)
    wt = Tensor(w, requires_grad=True)
    out = fast_conv.conv2d_chwn(to_chwn(x), wt, b, s, p)
    assert out.dtype == np.float32
    out.sum().backward()
    assert wt.grad.dtype == np.float32 and wt.grad.shape == w.shape


def test_blocked_small_k_products_equal_one_gemm(monkeypatch):
    # First layers (K = KH*KW*C small) run their GEMMs as a batch of column
    # blocks; the result must not depend on that choice.
    x, w, b, s, p = make((16, 28, 28, 1, 8, 5, 1, "same"), seed=9, dtype=np.float32)
    xc = to_chwn(x)
    results = []
    for small_k in (fast_conv._SMALL_K, 0):
        monkeypatch.setattr(fast_conv, "_SMALL_K", small_k)
        wt = Tensor(w, requires_grad=True)
        out = fast_conv.conv2d_chwn(xc, wt, b, s, p)
        out.backward(np.ones(out.shape, np.float32))
        results.append((out.data.copy(), wt.grad))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-4)


def test_row_columns_are_used_where_they_pay():
    from playground.engine.im2col import Geometry
    assert fast_conv.uses_row_columns(Geometry(14, 14, 5, 5, 1, "same"), 8)      # the CNN's 2nd layer
    assert not fast_conv.uses_row_columns(Geometry(28, 28, 5, 5, 1, "same"), 1)  # grey input: 5 rows
    assert not fast_conv.uses_row_columns(Geometry(14, 14, 5, 5, 2, "same"), 8)  # strided
