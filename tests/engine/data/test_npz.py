"""User .npz datasets: accepted layouts and every refused one, with key and shape in the message."""

import numpy as np
import pytest

from playground.engine.data.idx import DataError
from playground.engine.data.npz import load_npz


def save(tmp_path, **arrays):
    path = tmp_path / "user.npz"
    np.savez(path, **arrays)
    return path


def test_classification_with_test_set(tmp_path):
    rng = np.random.default_rng(0)
    path = save(tmp_path, x=rng.standard_normal((20, 2)), y=rng.integers(0, 3, 20),
                x_test=rng.standard_normal((5, 2)), y_test=np.array([0, 1, 2, 3, 1]))
    d = load_npz(path)
    assert d.x.dtype == np.float32 and d.x.shape == (20, 2) and d.kind == "2d"
    assert d.y.dtype == np.int64 and d.x_test.shape == (5, 2)
    assert d.num_classes == 4  # the test set's label 3 counts


def test_uint8_images_get_channel_and_scale(tmp_path):
    x = np.full((4, 28, 28), 255, np.uint8)
    d = load_npz(save(tmp_path, x=x, y=np.array([0, 1, 0, 1], np.uint8)))
    assert d.x.shape == (4, 28, 28, 1) and d.kind == "image"
    assert d.x.max() == 1.0
    assert d.x_test.shape == (0, 28, 28, 1) and d.y_test.shape == (0,)


def test_regression_targets_and_1d_inputs(tmp_path):
    d = load_npz(save(tmp_path, x=np.linspace(-1, 1, 10), y=np.linspace(0, 1, 10)[:, None]))
    assert d.x.shape == (10, 1) and d.kind == "1d"
    assert d.y.dtype == np.float32 and d.y.shape == (10, 1) and d.num_classes == 0


def test_flat_vectors_are_features(tmp_path):
    d = load_npz(save(tmp_path, x=np.zeros((3, 784)), y=np.array([0, 1, 2])))
    assert d.kind == "features" and d.x.shape == (3, 784)


def test_bool_labels(tmp_path):
    d = load_npz(save(tmp_path, x=np.zeros((3, 2)), y=np.array([True, False, True])))
    assert d.y.tolist() == [1, 0, 1] and d.num_classes == 2


@pytest.mark.parametrize("arrays, message", [
    ({"y": np.zeros(3, int)}, "missing key 'x'"),
    ({"x": np.zeros((3, 2))}, "missing key 'y'"),
    ({"x": np.zeros((3, 2)), "y": np.array([0, 1])}, r"'y' has shape \(2,\); expected \(3,\)"),
    ({"x": np.zeros((3, 2)), "y": np.array([0.0, 1.0, 1.0])}, r"'y' has shape \(3,\) and float dtype"),
    ({"x": np.zeros((3, 2)), "y": np.zeros((3, 2, 2))}, r"'y' has shape \(3, 2, 2\)"),
    ({"x": np.zeros((3, 2)), "y": np.array([0, -1, 1])}, "'y' .*negative labels"),
    ({"x": np.zeros((3, 2)), "y": np.zeros(3, int)}, "single class"),
    ({"x": np.zeros((0, 2)), "y": np.zeros(0, int)}, r"'x' must have shape \(N, \.\.\.\) with N >= 1, got \(0, 2\)"),
    ({"x": np.array(["a", "b"]), "y": np.array([0, 1])}, "'x' must hold numbers, got dtype <U1"),
    ({"x": np.array([[np.nan, 0], [0, 0]]), "y": np.array([0, 1])}, r"'x' \(shape \(2, 2\)\) contains NaN"),
    ({"x": np.zeros((3, 2)), "y": np.array([0, 1, 1]), "x_test": np.zeros((2, 2))}, "has 'x_test' but not 'y_test'"),
    ({"x": np.zeros((3, 2)), "y": np.array([0, 1, 1]), "x_test": np.zeros((2, 3)), "y_test": np.array([0, 1])},
     r"'x_test' has shape \(2, 3\).*\(2,\)"),
    ({"x": np.zeros((3, 2)), "y": np.array([0, 1, 1]), "x_test": np.zeros((2, 2)), "y_test": np.array([0, 1, 1])},
     r"'y_test' has shape \(3,\); expected \(2,\)"),
    ({"x": np.zeros((3, 2)), "y": np.array([0, 1, 1]), "x_test": np.zeros((2, 2)), "y_test": np.zeros((2, 1))},
     r"'y_test' has shape \(2, 1\), which does not match 'y' \(3,\)"),
])
def test_refused_layouts(tmp_path, arrays, message):
    with pytest.raises(DataError, match=message):
        load_npz(save(tmp_path, **arrays))


def test_pickled_objects_are_never_loaded(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, x=np.array([{"a": 1}, None], dtype=object), y=np.array([0, 1]))
    with pytest.raises(DataError, match="Python objects"):
        load_npz(path)


def test_not_an_npz_and_missing_file(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(DataError, match="bad.npz"):
        load_npz(bad)
    with pytest.raises(DataError, match="not found"):
        load_npz(tmp_path / "absent.npz")
