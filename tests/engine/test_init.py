"""Initializers: dtype, shapes, fans and the spread each one promises."""
import math

import numpy as np
import pytest

from playground.engine.init import INITIALIZERS, compute_fans, initialize


def test_table_and_dtype():
    assert set(INITIALIZERS) == {"zeros", "normal", "glorot_uniform", "he_normal"}
    for name, fn in INITIALIZERS.items():
        w = fn((3, 4), np.random.default_rng(0), 3, 4, stddev=0.1)
        assert w.shape == (3, 4) and w.dtype == np.float32, name
    assert not INITIALIZERS["zeros"]((2, 2), None, 2, 2).any()


def test_fans_of_dense_and_conv_weights():
    assert compute_fans((784, 256)) == (784, 256)
    assert compute_fans((5, 5, 3, 8)) == (75, 200)


def test_normal_uses_stddev():
    w = INITIALIZERS["normal"]((200, 200), np.random.default_rng(1), stddev=0.05)
    assert abs(w.std() - 0.05) < 0.002 and abs(w.mean()) < 0.002
    with pytest.raises(ValueError):
        INITIALIZERS["normal"]((2,), np.random.default_rng(1), stddev=-1)


def test_glorot_uniform_bound_and_spread():
    w = INITIALIZERS["glorot_uniform"]((300, 100), np.random.default_rng(2), 300, 100)
    limit = math.sqrt(6 / 400)
    assert np.abs(w).max() <= limit
    assert abs(w.std() - limit / math.sqrt(3)) < 0.01 * limit


def test_he_normal_uses_conv_fan_in():
    w = initialize("he_normal", (5, 5, 8, 64), np.random.default_rng(3))
    assert abs(w.std() - math.sqrt(2 / 200)) < 0.003


def test_same_seed_same_weights_and_unknown_name():
    a = initialize("glorot_uniform", (4, 5), np.random.default_rng(7))
    b = initialize("glorot_uniform", (4, 5), np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="unknown initializer 'uniform'"):
        initialize("uniform", (2, 2), np.random.default_rng(0))
