"""The course-notes perceptron: the rule by hand, convergence, early stop, multi-class."""
import numpy as np
import pytest

from playground.engine.perceptron import MultiClassPerceptron, Perceptron, train_perceptron


def separable_binary(rng, n=80):
    x = rng.uniform(-1, 1, (n, 2))
    margin = x @ np.array([1.0, -2.0]) + 0.3
    keep = np.abs(margin) > 0.2  # a clear margin bounds the number of updates
    return x[keep], (margin[keep] > 0).astype(int)


def three_blobs(rng, n=30):
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    x = np.concatenate([c + rng.normal(0, 0.5, (n, 2)) for c in centres])
    return x, np.repeat(np.arange(3), n)


def test_first_update_follows_the_rule_from_zero_weights():
    p = Perceptron(2)
    assert not p.w.any() and p.b == 0.0
    # f(x) = 0 at zero weights, label 1: w += 0.5 * (1 - 0) * x, b += 0.5
    result = train_perceptron(p, np.array([[1.0, 2.0]]), np.array([1]), lr=0.5, max_epochs=1)
    np.testing.assert_allclose(p.w, [0.5, 1.0])
    assert p.b == 0.5 and result.errors == [1] and not result.converged
    # label 0 predicted 1: the rule subtracts
    p2 = Perceptron(2)
    p2.b = 1.0
    train_perceptron(p2, np.array([[1.0, 2.0]]), np.array([0]), lr=1.0, max_epochs=1)
    np.testing.assert_allclose(p2.w, [-1.0, -2.0])
    assert p2.b == 0.0


def test_binary_converges_on_separable_data_and_stops_early():
    x, y = separable_binary(np.random.default_rng(0))
    p = Perceptron(2)
    result = train_perceptron(p, x, y, lr=1.0, max_epochs=200)
    assert result.converged and result.epochs < 200
    assert result.errors[-1] == 0 and all(e > 0 for e in result.errors[:-1])
    assert len(result.errors) == result.epochs
    np.testing.assert_array_equal(p.predict(x), y)


def test_binary_runs_out_of_epochs_on_xor():
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    result = train_perceptron(Perceptron(2), x, np.array([0, 1, 1, 0]), max_epochs=25)
    assert not result.converged and result.epochs == 25 and min(result.errors) > 0


def test_multi_class_converges_on_three_separable_classes():
    x, y = three_blobs(np.random.default_rng(1))
    p = MultiClassPerceptron(2, 3)
    result = train_perceptron(p, x, y, lr=0.1, max_epochs=100, shuffle=True, rng=np.random.default_rng(2))
    assert result.converged and result.epochs < 100
    np.testing.assert_array_equal(p.predict(x), y)


def test_multi_class_update_is_onehot_difference():
    p = MultiClassPerceptron(2, 3)
    # zero scores tie, argmax picks class 0; label 2: column 2 gains x, column 0 loses x
    p.update(np.array([[1.0, -1.0]]), np.array([2]), lr=1.0)
    np.testing.assert_allclose(p.w, [[-1, 0, 1], [1, 0, -1]])
    np.testing.assert_allclose(p.b, [-1, 0, 1])


def test_batch_mode_averages_the_rule_and_converges():
    x, y = three_blobs(np.random.default_rng(3))
    result = train_perceptron(MultiClassPerceptron(2, 3), x, y, lr=1.0, max_epochs=300, batch_size=16)
    assert result.converged


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="0 or 1"):
        train_perceptron(Perceptron(1), np.ones((2, 1)), np.array([0, 2]))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        train_perceptron(MultiClassPerceptron(1, 3), np.ones((2, 1)), np.array([0, 3]))
    with pytest.raises(ValueError, match="shape|\\(N, D\\)"):
        train_perceptron(Perceptron(2), np.ones((3, 2)), np.array([0, 1]))
    with pytest.raises(ValueError, match="Generator"):
        train_perceptron(Perceptron(1), np.ones((2, 1)), np.array([0, 1]), shuffle=True)
