"""Toy sets: shapes, labels that follow each set's rule, and seeding."""

import numpy as np
import pytest

from playground.engine.data import toy

NAMES_2D = list(toy.TOY_2D)
NAMES_1D = list(toy.FUNCTIONS_1D)


@pytest.mark.parametrize("name", NAMES_2D)
def test_2d_shapes_labels_and_balance(name):
    x, y = toy.make_2d(name, 500, 0.1, np.random.default_rng(0))
    assert x.shape == (500, 2) and x.dtype == np.float32
    assert y.shape == (500,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    assert 0.35 < y.mean() < 0.65
    assert np.abs(x).max() < 8


@pytest.mark.parametrize("name", NAMES_2D + NAMES_1D)
def test_same_seed_same_data_other_seed_other_data(name):
    a = toy.make_toy(name, 100, 0.2, seed=3)
    b = toy.make_toy(name, 100, 0.2, seed=3)
    c = toy.make_toy(name, 100, 0.2, seed=4)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[0], a[2])  # the test set is fresh points, not the training set
    assert a[2].shape == a[0].shape


def test_circle_rule_without_noise():
    x, y = toy.make_2d("circle", 400, 0.0, np.random.default_rng(1))
    r = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_array_equal(y, (r < 2.5).astype(np.int64))
    assert r[y == 0].min() >= 3.5 - 1e-5 and r.max() <= 5 + 1e-5


def test_xor_rule_without_noise_and_padding():
    x, y = toy.make_2d("xor", 400, 0.0, np.random.default_rng(1))
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] >= 0).astype(np.int64))
    assert np.abs(x).min() >= 0.3 - 1e-6


def test_noise_flips_some_labels_of_the_clean_points():
    x, y = toy.make_2d("xor", 2000, 0.5, np.random.default_rng(1))
    clean = (x[:, 0] * x[:, 1] >= 0).astype(np.int64)
    assert 0.02 < (y != clean).mean() < 0.4


def test_gaussian_centres_and_noise_widens():
    x, y = toy.make_2d("gaussian", 2000, 0.0, np.random.default_rng(2))
    np.testing.assert_allclose(x[y == 1].mean(0), [2, 2], atol=0.1)
    np.testing.assert_allclose(x[y == 0].mean(0), [-2, -2], atol=0.1)
    np.testing.assert_allclose(x[y == 1].std(0), np.sqrt(0.5), rtol=0.1)
    wide, wy = toy.make_2d("gaussian", 2000, 0.5, np.random.default_rng(2))
    np.testing.assert_allclose(wide[wy == 1].std(0), 2.0, rtol=0.1)


def test_spiral_arms_are_point_symmetric_without_noise():
    x, y = toy.make_2d("spiral", 200, 0.0, np.random.default_rng(0))
    arm1 = x[y == 1][np.argsort(np.hypot(*x[y == 1].T))]
    arm0 = x[y == 0][np.argsort(np.hypot(*x[y == 0].T))]
    np.testing.assert_allclose(arm0, -arm1, atol=1e-5)  # the second arm is the first turned by pi


def test_points_come_out_shuffled():
    _, y = toy.make_2d("circle", 200, 0.0, np.random.default_rng(0))
    assert 0 < y[:100].sum() < 100


@pytest.mark.parametrize("name", NAMES_1D)
def test_1d_functions(name):
    x, y = toy.make_1d(name, 300, 0.0, np.random.default_rng(0))
    assert x.shape == (300, 1) and y.shape == (300, 1)
    assert x.dtype == np.float32 and y.dtype == np.float32
    assert x.min() >= -1 and x.max() <= 1
    f = toy.FUNCTIONS_1D[name][0]
    np.testing.assert_allclose(y, f(x.astype(np.float64)), atol=1e-5)
    noisy = toy.make_1d(name, 300, 0.3, np.random.default_rng(0))[1]
    assert 0.2 < float(np.std(noisy - y)) < 0.4


def test_1d_values():
    x = np.array([[-0.5], [0.0], [0.5], [1.0]])
    np.testing.assert_allclose(toy.FUNCTIONS_1D["sin"][0](x)[:, 0], [-1, 0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(toy.FUNCTIONS_1D["step"][0](x)[:, 0], [0, 0, 1, 1])
    np.testing.assert_allclose(toy.FUNCTIONS_1D["polynomial"][0](x)[:, 0], [1, 0, -1, 1])


@pytest.mark.parametrize("kwargs, message", [
    ({"noise": -0.1}, "noise must be in"),
    ({"noise": 0.6}, "noise must be in"),
    ({"n_samples": 1}, "n_samples"),
    ({"n_samples": 10.5}, "n_samples"),
    ({"n_samples": True}, "n_samples"),
    ({"n_samples": toy.MAX_SAMPLES + 1}, "n_samples"),
])
def test_bad_params(kwargs, message):
    params = {"n_samples": 10, "noise": 0.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        toy.make_2d("circle", params["n_samples"], params["noise"])


def test_unknown_names():
    with pytest.raises(ValueError, match="unknown 2-D dataset"):
        toy.make_2d("moons")
    with pytest.raises(ValueError, match="unknown 1-D function"):
        toy.make_toy("moons")
