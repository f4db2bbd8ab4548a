"""Train/validation split and mini-batches: sizes, order, determinism."""

import numpy as np
import pytest

from playground.engine.data.split import iterate_minibatches, train_val_split


def data(n=100):
    return np.arange(n, dtype=np.float32)[:, None] * np.ones((1, 3), np.float32), np.arange(n)


def test_split_sizes_disjoint_and_in_file_order():
    x, y = data()
    xt, yt, xv, yv = train_val_split(x, y, 0.2, np.random.default_rng(0))
    assert len(yt) == 80 and len(yv) == 20
    assert sorted(np.concatenate([yt, yv]).tolist()) == list(range(100))
    assert np.all(np.diff(yt) > 0) and np.all(np.diff(yv) > 0)
    np.testing.assert_array_equal(xt[:, 0], yt)  # x and y stay paired


def test_split_seeded():
    x, y = data()
    a = train_val_split(x, y, 0.3, np.random.default_rng(5))[3]
    b = train_val_split(x, y, 0.3, np.random.default_rng(5))[3]
    c = train_val_split(x, y, 0.3, np.random.default_rng(6))[3]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_zero_val_split_keeps_everything():
    x, y = data(10)
    xt, yt, xv, yv = train_val_split(x, y, 0.0, np.random.default_rng(0))
    assert xt is x and yt is y and xv.shape == (0, 3) and yv.shape == (0,)


@pytest.mark.parametrize("bad", [-0.1, 0.95, 1.0])
def test_val_split_range(bad):
    x, y = data(10)
    with pytest.raises(ValueError, match=r"val_split must be in \[0, 0.9\]"):
        train_val_split(x, y, bad, np.random.default_rng(0))


def test_minibatches_in_file_order_with_last_partial():
    x, y = data(10)
    batches = list(iterate_minibatches(x, y, 4, shuffle=False))
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert np.shares_memory(batches[0][0], x)  # views, no copy


def test_shuffled_minibatches_cover_each_sample_once_and_follow_rng():
    x, y = data(50)
    first = list(iterate_minibatches(x, y, 16, shuffle=True, rng=np.random.default_rng(1)))
    seen = np.concatenate([b[1] for b in first])
    assert sorted(seen.tolist()) == list(range(50)) and seen.tolist() != list(range(50))
    assert [len(b[1]) for b in first] == [16, 16, 16, 2]
    for xb, yb in first:
        np.testing.assert_array_equal(xb[:, 0], yb)
    again = np.concatenate([b[1] for b in iterate_minibatches(x, y, 16, True, np.random.default_rng(1))])
    np.testing.assert_array_equal(seen, again)
    rng = np.random.default_rng(1)
    epoch1 = np.concatenate([b[1] for b in iterate_minibatches(x, y, 16, True, rng)])
    epoch2 = np.concatenate([b[1] for b in iterate_minibatches(x, y, 16, True, rng)])
    assert not np.array_equal(epoch1, epoch2)  # a new order every epoch


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_size": 0, "shuffle": False}, "batch_size"),
    ({"batch_size": 2.5, "shuffle": False}, "batch_size"),
    ({"batch_size": 4, "shuffle": True}, "needs an np.random.Generator"),
])
def test_bad_minibatch_args(kwargs, message):
    x, y = data(10)
    with pytest.raises(ValueError, match=message):
        next(iterate_minibatches(x, y, **kwargs))


def test_length_mismatch():
    with pytest.raises(ValueError, match="x has 3 samples but y has 2"):
        next(iterate_minibatches(np.zeros((3, 1)), np.zeros(2), 2, False))
