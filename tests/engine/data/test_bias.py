"""class_fractions: thinning some classes of the training split only, seeded."""

import numpy as np
import pytest

from playground.engine.data import dataset_available, load_dataset
from playground.engine.data.bias import ClassFractionError, check_class_fractions, keep_class_fractions


def _ten_class_npz(tmp_path, per_class=200):
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(10), per_class)
    x = rng.normal(size=(len(y), 4)).astype(np.float32)
    path = tmp_path / "ten.npz"
    np.savez(path, x=x, y=y, x_test=x[:100], y_test=y[::20])
    return path


def test_keep_counts_per_class():
    y = np.repeat(np.arange(3), [100, 50, 7])
    x = np.arange(len(y), dtype=np.float32)[:, None]
    xk, yk = keep_class_fractions(x, y, {0: 0.1, 2: 0.01}, np.random.default_rng(0))
    assert np.bincount(yk, minlength=3).tolist() == [10, 50, 1]  # at least one sample of class 2
    assert np.all(np.diff(xk[:, 0]) > 0)  # file order kept
    assert np.array_equal(x[xk[:, 0].astype(int), 0], xk[:, 0]) and np.array_equal(y[xk[:, 0].astype(int)], yk)


def test_fraction_one_is_the_data_itself():
    x, y = np.zeros((5, 1)), np.array([0, 1, 0, 1, 1])
    xk, yk = keep_class_fractions(x, y, {1: 1.0}, np.random.default_rng(0))
    assert xk is x and yk is y


def test_training_split_only_and_deterministic(tmp_path):
    path = _ten_class_npz(tmp_path)
    plain = load_dataset("ten", path=path, seed=3, val_split=0.2)
    biased = load_dataset("ten", path=path, seed=3, val_split=0.2, class_fractions={"8": 0.02, 3: 0.5})
    before = np.bincount(plain.y_train, minlength=10)
    after = np.bincount(biased.y_train, minlength=10)
    assert after[8] == max(1, round(before[8] * 0.02)) and after[3] == round(before[3] * 0.5)
    keep = [c for c in range(10) if c not in (3, 8)]
    assert np.array_equal(after[keep], before[keep])
    for part in ("x_val", "y_val", "x_test", "y_test"):
        assert np.array_equal(getattr(plain, part), getattr(biased, part))
    again = load_dataset("ten", path=path, seed=3, val_split=0.2, class_fractions={8: 0.02, 3: 0.5})
    assert np.array_equal(again.x_train, biased.x_train)
    other = load_dataset("ten", path=path, seed=4, val_split=0.2, class_fractions={8: 0.02, 3: 0.5})
    assert not np.array_equal(other.x_train, biased.x_train)


def test_toy_set_keeps_one_at_least():
    ds = load_dataset("xor", n_samples=200, seed=1, class_fractions={1: 0.001})
    assert np.sum(ds.y_train == 1) == 1 and np.sum(ds.y_train == 0) > 50
    plain = load_dataset("xor", n_samples=200, seed=1)
    assert np.array_equal(plain.y_val, ds.y_val) and np.array_equal(plain.x_test, ds.x_test)


@pytest.mark.parametrize("fractions, match", [
    ({10: 0.5}, "class 10 is not a class"),
    ({"-1": 0.5}, "class '-1' is not a class"),
    ({"eight": 0.5}, "class 'eight'"),
    ({8: 0.0}, r"class 8 must be in \(0, 1\]"),
    ({8: 1.5}, r"class 8 must be in \(0, 1\]"),
    ({8: "half"}, "class 8 must be a number"),
    ({True: 0.5}, "is not a class"),
])
def test_bad_fractions_name_the_class(fractions, match):
    with pytest.raises(ClassFractionError, match=match) as info:
        check_class_fractions(fractions, 10)
    assert info.value.key == next(iter(fractions))


def test_regression_and_load_errors():
    with pytest.raises(ValueError, match="classification"):
        load_dataset("sin", n_samples=50, class_fractions={0: 0.5})
    with pytest.raises(ValueError, match="class 2 is not a class"):
        load_dataset("circle", n_samples=50, class_fractions={2: 0.5})
    assert check_class_fractions(None, 10) == {}
    assert check_class_fractions({"7": 1}, None) == {7: 1.0}


@pytest.mark.skipif(not dataset_available("mnist"), reason="MNIST files not available (PLAYGROUND_DATA_DIR)")
def test_mnist_class_8_at_two_percent():
    plain = load_dataset("mnist", seed=0)
    biased = load_dataset("mnist", seed=0, class_fractions={8: 0.02})
    n8 = int(np.sum(plain.y_train == 8))
    assert int(np.sum(biased.y_train == 8)) == round(n8 * 0.02)
    assert len(biased.y_train) == len(plain.y_train) - n8 + round(n8 * 0.02)
    assert np.array_equal(plain.y_val, biased.y_val) and len(biased.y_test) == 10000
