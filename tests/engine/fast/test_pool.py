"""The fast batch-innermost pooling against the reference engine.pool ops
(checked against direct loops and PyTorch in tests/engine/test_pool.py)."""

import numpy as np
import pytest
from engine_helpers import POOL_CASES

from playground.engine import pool
from playground.engine.fast import workspace
from playground.engine.fast.pool import avg_pool2d_chwn, max_pool2d_chwn
from playground.engine.tensor import Tensor

CASES = POOL_CASES
OPS = {"max": (pool.max_pool2d, max_pool2d_chwn), "avg": (pool.avg_pool2d, avg_pool2d_chwn)}


def to_chwn(a):
    return np.ascontiguousarray(a.transpose(3, 1, 2, 0))


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("ties", [False, True])
def test_fast_equals_reference(case, kind, ties):
    n, h, w, c, k, s, p = case
    x = np.random.default_rng(5).normal(size=(n, h, w, c))
    if ties:
        x = np.maximum(np.round(x), 0.0)   # what ReLU leaves: many equal values
    ref_op, fast_op = OPS[kind]
    xt = Tensor(x, requires_grad=True)
    ref = ref_op(xt, k, s, p)
    g = np.random.default_rng(6).normal(size=ref.shape)
    ref.backward(g)
    xc = Tensor(to_chwn(x), requires_grad=True)
    out = fast_op(xc, k, s, p)
    assert out.op == f"{kind}_pool2d_chwn"
    out.backward(to_chwn(g))
    np.testing.assert_allclose(out.data.transpose(3, 1, 2, 0), ref.data, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(xc.grad.transpose(3, 1, 2, 0), xt.grad, rtol=1e-12, atol=1e-12)


def test_float32_and_interleaved_forwards():
    workspace.clear()
    x1, x2 = (np.random.default_rng(i).normal(size=(4, 3, 8, 8)).astype(np.float32) for i in (7, 8))
    t1, t2 = Tensor(x1, requires_grad=True), Tensor(x2, requires_grad=True)
    o1 = max_pool2d_chwn(t1)
    o2 = max_pool2d_chwn(t2)
    assert o1.dtype == np.float32 and not np.shares_memory(o1.data, o2.data)
    ref = pool.max_pool2d(x1.transpose(3, 1, 2, 0), 2).data
    np.testing.assert_array_equal(o1.data.transpose(3, 1, 2, 0), ref)
    o1.backward(np.ones(o1.shape, np.float32))
    g1 = t1.grad.copy()
    o2.backward(np.ones(o2.shape, np.float32))
    np.testing.assert_array_equal(t1.grad, g1)
    assert t1.grad.sum() == o1.size
