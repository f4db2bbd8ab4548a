"""Losses against their NumPy formulas, central differences and huge logits."""
import numpy as np
import pytest

from playground.engine import losses
from playground.engine.numeric import gradient_check
from playground.engine.tensor import Tensor


def test_softmax_cross_entropy_matches_formula_and_gradient():
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    loss = losses.softmax_cross_entropy(Tensor(logits), labels)
    np.testing.assert_allclose(loss.item(), -np.log(p[np.arange(6), labels]).mean(), rtol=1e-12)
    assert gradient_check(lambda z: losses.softmax_cross_entropy(z, labels), [logits]) < 1e-6
    z = Tensor(logits, requires_grad=True)
    losses.softmax_cross_entropy(z, labels).backward()
    np.testing.assert_allclose(z.grad, (p - np.eye(4)[labels]) / 6, rtol=1e-10)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    z = Tensor(np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]], np.float32), requires_grad=True)
    loss = losses.softmax_cross_entropy(z, np.array([0, 0]))
    assert loss.dtype == np.float32
    np.testing.assert_allclose(loss.item(), 1e4 / 2, rtol=1e-6)  # first row 0, second 1e4
    loss.backward()
    assert np.all(np.isfinite(z.grad))
    np.testing.assert_allclose(z.grad, [[0, 0, 0], [-0.5, 0.5, 0]], atol=1e-6)


def test_softmax_cross_entropy_rejects_bad_labels():
    z = Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="labels"):
        losses.softmax_cross_entropy(z, np.array([0, 3]))
    with pytest.raises(ValueError, match="labels"):
        losses.softmax_cross_entropy(z, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="labels"):
        losses.softmax_cross_entropy(z, np.array([0]))
    with pytest.raises(ValueError, match="logits"):
        losses.softmax_cross_entropy(Tensor(np.zeros(3)), np.array([0]))


def test_mse_matches_formula_and_gradient():
    rng = np.random.default_rng(1)
    pred, target = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    np.testing.assert_allclose(losses.mse(Tensor(pred), target).item(), ((pred - target) ** 2).mean())
    assert gradient_check(lambda p: losses.mse(p, target), [pred]) < 1e-6


def test_mse_reshapes_a_flat_target_instead_of_broadcasting():
    pred = Tensor(np.array([[1.0], [2.0], [3.0]], np.float32))
    loss = losses.mse(pred, np.array([1.0, 2.0, 5.0]))
    assert loss.dtype == np.float32
    np.testing.assert_allclose(loss.item(), 4 / 3, rtol=1e-6)  # not the (3, 3) broadcast mean
    with pytest.raises(ValueError, match="shape"):
        losses.mse(pred, np.zeros(4))


def test_binary_cross_entropy_matches_formula_and_gradient():
    rng = np.random.default_rng(2)
    z, t = rng.standard_normal((7, 1)), rng.integers(0, 2, 7).astype(float)
    s = 1 / (1 + np.exp(-z[:, 0]))
    expected = -(t * np.log(s) + (1 - t) * np.log(1 - s)).mean()
    np.testing.assert_allclose(losses.binary_cross_entropy(Tensor(z), t).item(), expected, rtol=1e-12)
    assert gradient_check(lambda a: losses.binary_cross_entropy(a, t), [z]) < 1e-6
    soft = rng.uniform(0, 1, 7)  # soft targets are allowed too
    assert gradient_check(lambda a: losses.binary_cross_entropy(a, soft), [z[:, 0]]) < 1e-6


def test_binary_cross_entropy_is_stable_for_huge_logits():
    z = Tensor(np.array([1e4, -1e4, 1e4, -1e4], np.float32), requires_grad=True)
    loss = losses.binary_cross_entropy(z, np.array([1, 0, 0, 1]))
    np.testing.assert_allclose(loss.item(), 2e4 / 4, rtol=1e-6)
    loss.backward()
    np.testing.assert_allclose(z.grad, [0, 0, 0.25, -0.25], atol=1e-7)


def test_losses_table():
    assert set(losses.LOSSES) == {"softmax_cross_entropy", "mse", "binary_cross_entropy"}
