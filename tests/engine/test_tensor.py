"""Tensor: graph recording, backward order, gradient accumulation, no_grad."""
import threading

import numpy as np
import pytest

from playground.engine import ops
from playground.engine.tensor import Tensor, is_grad_enabled, no_grad


def test_fan_out_gradients_add_up():
    x = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data + 1)


def test_same_tensor_as_both_operands():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x + x).sum().backward()
    np.testing.assert_allclose(x.grad, [2.0, 2.0])


def test_diamond_graph():
    x = Tensor(np.array(0.7), requires_grad=True)
    h = x * 3.0
    y = h.exp() + h * h + h.sigmoid()
    y.backward()
    hv = 2.1
    s = 1 / (1 + np.exp(-hv))
    np.testing.assert_allclose(x.grad, 3 * (np.exp(hv) + 2 * hv + s * (1 - s)))
    assert isinstance(x.grad, np.ndarray)  # 0-d maths yields NumPy scalars; grads stay arrays
    (x * x).backward()
    np.testing.assert_allclose(x.grad, 3 * (np.exp(hv) + 2 * hv + s * (1 - s)) + 1.4)
    assert isinstance(x.grad, np.ndarray)


def test_repeated_backward_accumulates_without_corrupting_shared_grads():
    # add hands the same gradient array to both parents; accumulation must not
    # write into it in place, or a.grad and b.grad would count each other.
    a = Tensor(np.zeros(3), requires_grad=True)
    b = Tensor(np.zeros(3), requires_grad=True)
    for _ in range(2):
        (a + b).sum().backward()
    np.testing.assert_allclose(a.grad, [2, 2, 2])
    np.testing.assert_allclose(b.grad, [2, 2, 2])


def test_leaf_grad_from_broadcast_is_writable():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    x.sum().backward()
    assert x.grad.flags.writeable
    x.grad *= 2  # an optimizer or user may scale it in place


def test_only_requested_leaves_get_gradients():
    x = Tensor(np.ones(3), requires_grad=True)
    c = Tensor(np.ones(3))
    h = x * c
    (h * 2.0).sum().backward()
    assert c.grad is None and h.grad is None
    np.testing.assert_allclose(x.grad, [2, 2, 2])


def test_retain_grad_keeps_an_intermediate_gradient():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * 3.0
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)


def test_deep_chain_does_not_hit_the_recursion_limit():
    x = Tensor(np.array([1.0]), requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001 + 0.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.0001 ** 5000], rtol=1e-9)
    del y  # freeing a 10000-node chain must not overflow the C stack either


def test_from_op_records_only_when_a_parent_requires_grad():
    a, b = Tensor(np.ones(2)), Tensor(np.ones(2), requires_grad=True)
    plain = a * 2.0
    assert not plain.requires_grad and plain.op == "" and plain.is_leaf
    recorded = a * b
    assert recorded.requires_grad and recorded.op == "mul" and not recorded.is_leaf


def test_no_grad_records_nothing_and_restores_state():
    x = Tensor(np.ones(3), requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 2.0).relu().sum()
    assert is_grad_enabled()
    assert not y.requires_grad and y.op == "" and y._parents == ()
    with pytest.raises(RuntimeError):
        y.backward()
    with pytest.raises(KeyError), no_grad():
        raise KeyError("boom")
    assert is_grad_enabled()


def test_no_grad_as_decorator_and_per_thread():
    @no_grad()
    def infer(t):
        return t * 2.0

    x = Tensor(np.ones(2), requires_grad=True)
    assert not infer(x).requires_grad
    seen = []
    with no_grad():
        worker = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        worker.start()
        worker.join()
    assert seen == [True]  # another thread's training is not switched off


def test_backward_argument_checks():
    x = Tensor(np.ones(3), requires_grad=True)
    y = x * 2.0
    with pytest.raises(RuntimeError, match="scalar"):
        y.backward()
    with pytest.raises(ValueError, match="shape"):
        y.backward(np.ones(2))
    y.backward(np.array([1.0, 0.0, -1.0]))
    np.testing.assert_allclose(x.grad, [2, 0, -2])


def test_tensor_basics():
    t = Tensor([[1, 2, 3]], dtype=np.float32, requires_grad=True)
    assert t.shape == (1, 3) and t.ndim == 2 and t.size == 3 and t.dtype == np.float32
    assert len(t) == 1 and t.numpy() is t.data
    assert Tensor(np.array(2.5)).item() == 2.5
    assert "requires_grad=True" in repr(t)
    assert t in {t}  # identity hashing despite elementwise ==
    np.testing.assert_array_equal(t == 2, [[False, True, False]])
    t.grad = np.ones((1, 3), np.float32)
    t.zero_grad()
    assert t.grad is None
    d = (t * 2.0).detach()
    assert not d.requires_grad and d.op == ""
    with pytest.raises(TypeError):
        Tensor(np.arange(3), requires_grad=True)


def test_ops_accept_arrays_and_numbers_as_constants():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = ops.add(np.array([1.0, 1.0]), ops.mul(3, x))
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [3, 3])
