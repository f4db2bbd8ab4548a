"""DATASETS table, load_dataset for every kind, availability and the JSON listing."""

import json
import os

import numpy as np
import pytest

from playground.engine.data import DATASETS, DataError, Dataset, dataset_available, list_datasets, load_dataset, mnist
from playground.engine.data.idx import write_idx


@pytest.fixture
def no_local_data(tmp_path, monkeypatch):
    monkeypatch.delenv("PLAYGROUND_DATA_DIR", raising=False)
    monkeypatch.setattr(mnist, "DEFAULT_CACHE_DIR", str(tmp_path / "empty-cache"))  # the engine reads no environment for it


def test_table_entries():
    assert {"mnist", "fashion-mnist", "circle", "xor", "gaussian", "spiral", "sin"} <= set(DATASETS)
    assert DATASETS["mnist"].input_shape == (28, 28, 1) and DATASETS["mnist"].num_classes == 10
    assert DATASETS["spiral"].kind == "2d" and DATASETS["spiral"].num_classes == 2
    assert DATASETS["spiral"].params["noise"]["max"] == 0.5
    assert DATASETS["sin"].kind == "1d" and DATASETS["sin"].num_classes == 0


def test_list_is_json_ready_and_says_what_is_available(no_local_data):
    rows = json.loads(json.dumps(list_datasets()))
    by_name = {r["name"]: r for r in rows}
    assert by_name["fashion-mnist"]["available"] is False
    assert by_name["circle"]["available"] is True
    assert set(by_name["mnist"]) >= {"name", "kind", "input_shape", "num_classes", "train_size",
                                     "test_size", "available", "description"}
    assert by_name["mnist"]["input_shape"] == [28, 28, 1]


@pytest.mark.parametrize("name", ["circle", "xor", "gaussian", "spiral"])
def test_toy_dataset_split_and_seed(name):
    ds = load_dataset(name, seed=1, val_split=0.2, noise=0.1, n_samples=200)
    assert isinstance(ds, Dataset)
    assert ds.x_train.shape == (160, 2) and ds.x_val.shape == (40, 2) and ds.x_test.shape == (200, 2)
    assert ds.y_train.dtype == np.int64 and ds.class_names == ("0", "1")
    assert ds.info.train_size == 200 and ds.num_classes == 2 and ds.input_shape == (2,)
    again = load_dataset(name, seed=1, val_split=0.2, noise=0.1, n_samples=200)
    np.testing.assert_array_equal(ds.x_val, again.x_val)
    other = load_dataset(name, seed=2, val_split=0.2, noise=0.1, n_samples=200)
    assert not np.array_equal(ds.x_train, other.x_train)


def test_toy_data_does_not_depend_on_val_split():
    a = load_dataset("spiral", val_split=0.0)
    b = load_dataset("spiral", val_split=0.5)
    np.testing.assert_array_equal(a.x_test, b.x_test)
    assert sorted(map(tuple, np.concatenate([b.x_train, b.x_val]).tolist())) == sorted(map(tuple, a.x_train.tolist()))


def test_regression_dataset():
    ds = load_dataset("sin", val_split=0.0, n_samples=50)
    assert ds.x_train.shape == (50, 1) and ds.y_train.shape == (50, 1) and ds.y_train.dtype == np.float32
    assert ds.class_names is None and ds.num_classes == 0


def test_bad_params_and_names():
    with pytest.raises(ValueError, match="noise"):
        load_dataset("circle", noise=0.9)
    with pytest.raises(ValueError, match="val_split"):
        load_dataset("circle", val_split=0.95)
    with pytest.raises(DataError, match="unknown dataset 'cifar10'"):
        load_dataset("cifar10")


def test_user_npz_by_path_and_by_name(tmp_path):
    path = tmp_path / "mine.npz"
    np.savez(path, x=np.random.default_rng(0).standard_normal((40, 3)), y=np.arange(40) % 4)
    ds = load_dataset("upload:abc", path=str(path), val_split=0.25, seed=0)
    assert ds.info.name == "upload:abc" and ds.info.kind == "features" and ds.num_classes == 4
    assert len(ds.x_train) == 30 and len(ds.x_val) == 10 and len(ds.x_test) == 0
    assert ds.class_names == ("0", "1", "2", "3")
    by_name = load_dataset(str(path), val_split=0.0)
    assert by_name.info.name == "mine.npz" and len(by_name.x_train) == 40
    np.testing.assert_array_equal(by_name.y_train, np.arange(40) % 4)  # file order kept
    assert dataset_available(str(path)) and not dataset_available(str(tmp_path / "none.npz"))


def test_fashion_mnist_missing_without_download(no_local_data):
    assert not dataset_available("fashion-mnist")
    with pytest.raises(DataError, match="fashion-mnist: missing"):
        load_dataset("fashion-mnist", download=False)


def test_fashion_mnist_class_names_from_local_files(tmp_path, monkeypatch, no_local_data):
    real = mnist.IDX_SETS["fashion-mnist"]
    rng = np.random.default_rng(0)
    files = {}
    (tmp_path / "data" / "fashion-mnist").mkdir(parents=True)
    for role, f in real.files.items():
        n = 20 if role.startswith("train") else 5
        shape = (n, 28, 28) if role.endswith("images") else (n,)
        a = rng.integers(0, 256, shape, dtype=np.uint8) if len(shape) == 3 else np.arange(n, dtype=np.uint8) % 10
        write_idx(tmp_path / "data" / "fashion-mnist" / f"{f.filename}.gz", a)
        files[role] = mnist.IdxFile(f.filename, shape, md5_gz=f.md5_gz)
    monkeypatch.setitem(mnist.IDX_SETS, "fashion-mnist",
                        mnist.IdxSet("fashion-mnist", "fashion-mnist", files, real.mirrors, real.class_names))
    mnist.clear_cache()
    try:
        assert dataset_available("fashion-mnist", data_dir=tmp_path / "data")
        ds = load_dataset("fashion-mnist", data_dir=tmp_path / "data", val_split=0.1, download=False)
    finally:
        mnist.clear_cache()
    assert ds.class_names[0] == "T-shirt/top" and len(ds.class_names) == 10
    assert ds.x_train.shape == (18, 28, 28, 1) and ds.x_val.shape == (2, 28, 28, 1)


def test_real_mnist_dataset():
    data_dir = os.environ.get("PLAYGROUND_DATA_DIR")
    if not data_dir or not dataset_available("mnist", data_dir=data_dir, cache_dir="/nonexistent"):
        pytest.skip("PLAYGROUND_DATA_DIR has no mnist/")
    ds = load_dataset("mnist", data_dir=data_dir, seed=0, val_split=0.1, noise=0.3, download=False)
    assert ds.x_train.shape == (54000, 28, 28, 1) and ds.x_val.shape == (6000, 28, 28, 1)
    assert ds.x_test.shape == (10000, 28, 28, 1) and ds.y_test.dtype == np.int64
    assert ds.class_names == tuple("0123456789") and ds.info.kind == "image"
    assert float(ds.x_val.min()) >= 0.0 and float(ds.x_val.max()) <= 1.0
    assert np.bincount(ds.y_val, minlength=10).min() > 400  # a random, not a sliced, validation set
