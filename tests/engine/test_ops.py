"""Every op: forward against plain NumPy, backward against central differences (float64)."""
import numpy as np
import pytest

from playground.engine import ops
from playground.engine.numeric import gradient_check
from playground.engine.tensor import Tensor

TOL = 1e-6


def normal(*shape):
    return lambda rng: rng.standard_normal(shape)


def positive(*shape):
    return lambda rng: rng.uniform(0.5, 2.0, shape)


def away_from_zero(*shape):
    # Kinks (relu at 0) make finite differences meaningless; keep |x| >= 0.1.
    return lambda rng: rng.choice([-1.0, 1.0], shape) * rng.uniform(0.1, 2.0, shape)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# name, op on Tensors, NumPy reference, input generators
CASES = [
    ("add", ops.add, np.add, [normal(3, 4), normal(3, 4)]),
    ("add (3,1)+(1,4)", ops.add, np.add, [normal(3, 1), normal(1, 4)]),
    ("add (2,3)+(3,)", ops.add, np.add, [normal(2, 3), normal(3)]),
    ("add scalar operand", ops.add, np.add, [normal(2, 3), normal()]),
    ("sub (3,1)-(1,4)", ops.sub, np.subtract, [normal(3, 1), normal(1, 4)]),
    ("sub (3,)-(2,3)", ops.sub, np.subtract, [normal(3), normal(2, 3)]),
    ("mul", ops.mul, np.multiply, [normal(2, 3, 4), normal(2, 3, 4)]),
    ("mul (3,1)*(1,4)", ops.mul, np.multiply, [normal(3, 1), normal(1, 4)]),
    ("mul scalar operand", ops.mul, np.multiply, [normal(), normal(2, 3)]),
    ("div", ops.div, np.divide, [normal(3, 4), positive(3, 4)]),
    ("div (2,3)/(3,)", ops.div, np.divide, [normal(2, 3), positive(3)]),
    ("neg", ops.neg, np.negative, [normal(3, 4)]),
    ("pow 2", lambda a: ops.pow(a, 2), lambda a: a ** 2, [normal(3, 4)]),
    ("pow 3", lambda a: ops.pow(a, 3), lambda a: a ** 3, [normal(3, 4)]),
    ("pow -0.5", lambda a: ops.pow(a, -0.5), lambda a: a ** -0.5, [positive(3, 4)]),
    ("pow tensor exponent", ops.pow, np.power, [positive(3, 4), normal(1, 4)]),
    ("matmul", ops.matmul, np.matmul, [normal(3, 4), normal(4, 5)]),
    ("matmul batched", ops.matmul, np.matmul, [normal(2, 3, 4), normal(4, 5)]),
    ("matmul vec@mat", ops.matmul, np.matmul, [normal(4), normal(4, 5)]),
    ("matmul mat@vec", ops.matmul, np.matmul, [normal(3, 4), normal(4)]),
    ("matmul vec@vec", ops.matmul, np.matmul, [normal(4), normal(4)]),
    ("linear", ops.linear, lambda x, w, b: x @ w + b, [normal(5, 4), normal(4, 3), normal(3)]),
    ("linear no bias", ops.linear, np.matmul, [normal(5, 4), normal(4, 3)]),
    ("exp", ops.exp, np.exp, [normal(3, 4)]),
    ("log", ops.log, np.log, [positive(3, 4)]),
    ("sum", ops.sum, np.sum, [normal(3, 4)]),
    ("sum axis 0", lambda a: ops.sum(a, 0), lambda a: a.sum(0), [normal(3, 4)]),
    ("sum axis (0,2) keepdims", lambda a: ops.sum(a, (0, 2), True),
     lambda a: a.sum((0, 2), keepdims=True), [normal(2, 3, 4)]),
    ("sum axis -1", lambda a: ops.sum(a, -1), lambda a: a.sum(-1), [normal(2, 3, 4)]),
    ("mean", ops.mean, np.mean, [normal(3, 4)]),
    ("mean axis 1 keepdims", lambda a: ops.mean(a, 1, True), lambda a: a.mean(1, keepdims=True), [normal(3, 4)]),
    ("mean axis (0,1)", lambda a: ops.mean(a, (0, 1)), lambda a: a.mean((0, 1)), [normal(2, 3, 4)]),
    ("max", ops.max, np.max, [normal(3, 4)]),
    ("max axis 1", lambda a: ops.max(a, 1), lambda a: a.max(1), [normal(3, 4)]),
    ("max axis 0 keepdims", lambda a: ops.max(a, 0, True), lambda a: a.max(0, keepdims=True), [normal(3, 4)]),
    ("reshape", lambda a: ops.reshape(a, (4, 3)), lambda a: a.reshape(4, 3), [normal(3, 4)]),
    ("flatten", ops.flatten, lambda a: a.reshape(2, -1), [normal(2, 3, 4)]),
    ("transpose", ops.transpose, np.transpose, [normal(3, 4)]),
    ("transpose axes", lambda a: ops.transpose(a, (2, 0, 1)), lambda a: a.transpose(2, 0, 1), [normal(2, 3, 4)]),
    ("getitem slice", lambda a: ops.getitem(a, (slice(1, 3), slice(None, None, 2))),
     lambda a: a[1:3, ::2], [normal(4, 5)]),
    ("getitem int", lambda a: ops.getitem(a, 1), lambda a: a[1], [normal(4, 5)]),
    ("getitem newaxis ellipsis", lambda a: ops.getitem(a, (None, Ellipsis, 2)),
     lambda a: a[None, ..., 2], [normal(3, 4)]),
    ("getitem fancy repeated", lambda a: ops.getitem(a, np.array([0, 2, 0, 0])),
     lambda a: a[[0, 2, 0, 0]], [normal(3, 4)]),
    ("getitem fancy pairs", lambda a: ops.getitem(a, (np.array([0, 1, 1]), np.array([2, 2, 2]))),
     lambda a: a[[0, 1, 1], [2, 2, 2]], [normal(3, 4)]),
    ("getitem bool mask", lambda a: ops.getitem(a, np.array([True, False, True])),
     lambda a: a[[True, False, True]], [normal(3, 4)]),
    ("concatenate axis 0", lambda a, b, c: ops.concatenate([a, b, c]),
     lambda a, b, c: np.concatenate([a, b, c]), [normal(1, 3), normal(2, 3), normal(4, 3)]),
    ("concatenate axis 1", lambda a, b: ops.concatenate([a, b], axis=1),
     lambda a, b: np.concatenate([a, b], axis=1), [normal(2, 3), normal(2, 1)]),
    ("relu", ops.relu, lambda a: np.maximum(a, 0), [away_from_zero(3, 4)]),
    ("leaky_relu", lambda a: ops.leaky_relu(a, 0.1), lambda a: np.where(a > 0, a, 0.1 * a), [away_from_zero(3, 4)]),
    ("sigmoid", ops.sigmoid, lambda a: 1 / (1 + np.exp(-a)), [normal(3, 4)]),
    ("tanh", ops.tanh, np.tanh, [normal(3, 4)]),
    ("sin", ops.sin, np.sin, [normal(3, 4)]),
    ("cos", ops.cos, np.cos, [normal(3, 4)]),
    ("softmax", ops.softmax, _softmax, [normal(3, 4)]),
    ("softmax axis 0", lambda a: ops.softmax(a, 0), lambda a: _softmax(a, 0), [normal(3, 4)]),
    ("log_softmax", ops.log_softmax, lambda a: np.log(_softmax(a)), [normal(3, 4)]),
    ("log_softmax axis 1 of 3-d", lambda a: ops.log_softmax(a, 1), lambda a: np.log(_softmax(a, 1)), [normal(2, 3, 4)]),
]


@pytest.mark.parametrize("name,op,reference,makers", CASES, ids=[c[0] for c in CASES])
def test_forward_matches_numpy(name, op, reference, makers):
    rng = np.random.default_rng(0)
    arrays = [m(rng) for m in makers]
    out = op(*[Tensor(a) for a in arrays])
    np.testing.assert_allclose(out.data, reference(*arrays), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name,op,reference,makers", CASES, ids=[c[0] for c in CASES])
def test_backward_matches_central_differences(name, op, reference, makers):
    rng = np.random.default_rng(1)
    assert gradient_check(op, [m(rng) for m in makers]) < TOL


@pytest.mark.parametrize("name,op,reference,makers", CASES, ids=[c[0] for c in CASES])
def test_float32_stays_float32(name, op, reference, makers):
    rng = np.random.default_rng(2)
    tensors = [Tensor(m(rng).astype(np.float32), requires_grad=True) for m in makers]
    out = op(*tensors)
    assert out.dtype == np.float32
    (out * 1.5).sum().backward()
    assert all(t.grad.dtype == np.float32 and t.grad.shape == t.shape for t in tensors)


def test_python_scalars_keep_float32():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    y = (2.5 * x - 1.0) / 3.0 + np.float64(0.5) + x ** 2.0
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, 2.5 / 3 + 2.0, rtol=1e-6)


def test_operators_delegate_to_ops():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((3, 4)), rng.uniform(0.5, 2, (4,))
    ta, tb = Tensor(a), Tensor(b)
    np.testing.assert_allclose((ta + tb).data, a + b)
    np.testing.assert_allclose((1.0 - ta).data, 1.0 - a)
    np.testing.assert_allclose((2.0 / tb).data, 2.0 / b)
    np.testing.assert_allclose((a * tb).data, a * b)  # ndarray on the left defers to Tensor
    np.testing.assert_allclose((ta @ tb).data, a @ b)
    np.testing.assert_allclose((-ta).T.data, -a.T)
    np.testing.assert_allclose(ta[1:, 2].data, a[1:, 2])
    np.testing.assert_allclose(ta.reshape(2, 6).data, a.reshape(2, 6))
    np.testing.assert_allclose(ta.transpose(1, 0).data, a.T)
    np.testing.assert_allclose(ta.max(axis=0).data, a.max(axis=0))
    np.testing.assert_allclose(tb.log().exp().data, b)
    np.testing.assert_allclose(ta.softmax().data, _softmax(a))
    assert isinstance(ta > 0, np.ndarray) and (ta > 0).dtype == bool


def test_max_splits_gradient_evenly_among_ties():
    x = Tensor(np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]), requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    y = Tensor(np.array([5.0, 1.0, 5.0]), requires_grad=True)
    y.max().backward()
    np.testing.assert_allclose(y.grad, [0.5, 0, 0.5])


def test_relu_gradient_is_zero_at_zero():
    x = Tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True)
    ops.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 0, 1])


def test_sigmoid_and_softmax_are_stable_for_huge_inputs():
    x = np.array([-1e4, -50.0, 0.0, 50.0, 1e4])
    s = ops.sigmoid(Tensor(x)).data
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s, [0, np.exp(-50.0), 0.5, 1, 1], rtol=1e-12, atol=0)
    p = ops.softmax(Tensor(np.array([[1e4, 0.0, -1e4]]))).data
    np.testing.assert_allclose(p, [[1, 0, 0]])
    lp = ops.log_softmax(Tensor(np.array([[1e4, 0.0]]))).data
    np.testing.assert_allclose(lp, [[0, -1e4]])


def test_dropout_is_inverted_and_identity_at_inference():
    rng = np.random.default_rng(0)
    x = Tensor(np.ones((200, 50), np.float32), requires_grad=True)
    assert ops.dropout(x, 0.5, rng, training=False) is x
    y = ops.dropout(x, 0.25, rng, training=True)
    assert y.dtype == np.float32
    kept = y.data != 0
    np.testing.assert_allclose(y.data[kept], 1 / 0.75, rtol=1e-6)
    assert abs(kept.mean() - 0.75) < 0.02
    y.sum().backward()
    np.testing.assert_allclose(x.grad, y.data)  # gradient passes through the same mask and scale
    assert gradient_check(lambda a: ops.dropout(a, 0.3, np.random.default_rng(5)), [np.ones((4, 5))]) < TOL
    with pytest.raises(ValueError):
        ops.dropout(x, 1.0, rng)


def test_unbroadcast_sums_back_to_operand_shape():
    g = np.ones((2, 3, 4))
    assert ops.unbroadcast(g, (3, 4)).shape == (3, 4)
    np.testing.assert_allclose(ops.unbroadcast(g, (3, 1)), np.full((3, 1), 8.0))
    np.testing.assert_allclose(ops.unbroadcast(g, ()), 24.0)
    assert ops.unbroadcast(g, (2, 3, 4)) is g
