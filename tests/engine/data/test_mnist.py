"""MNIST-type loading: real MNIST (when PLAYGROUND_DATA_DIR has it) and small fake sets."""

import hashlib
import os
import time
from pathlib import Path

import numpy as np
import pytest

from playground.engine.data import mnist
from playground.engine.data.idx import DataError, idx_bytes, read_bytes, write_idx

# The published sha256 of the uncompressed files (shared/data/README.md), restated
# here so the test does not trust the table it checks.
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


def _real_data_dir():
    d = os.environ.get("PLAYGROUND_DATA_DIR")
    if not d or not (Path(d) / "mnist" / "train-images-idx3-ubyte.gz").exists() and not (
        Path(d) / "mnist" / "train-images-idx3-ubyte").exists():
        pytest.skip("PLAYGROUND_DATA_DIR has no mnist/ (set it to ../shared/data)")
    return d


def test_real_mnist_files_match_published_sha256():
    data_dir = _real_data_dir()
    paths = mnist.locate_files("mnist", data_dir=data_dir, cache_dir="/nonexistent")
    for role, path in paths.items():
        base = path.name.removesuffix(".gz")
        assert hashlib.sha256(read_bytes(path)).hexdigest() == MNIST_SHA256[base], role


def test_real_mnist_loads_fast_with_shapes_and_is_cached():
    data_dir = _real_data_dir()
    mnist.clear_cache()
    start = time.perf_counter()
    x, y, x_test, y_test = mnist.load_idx_set("mnist", data_dir=data_dir, cache_dir="/nonexistent", download=False)
    seconds = time.perf_counter() - start
    assert x.shape == (60000, 28, 28, 1) and x.dtype == np.float32
    assert x_test.shape == (10000, 28, 28, 1) and x_test.dtype == np.float32
    assert y.shape == (60000,) and y.dtype == np.int64 and y_test.shape == (10000,)
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    assert set(np.unique(y)) == set(range(10))
    assert y[:5].tolist() == [5, 0, 4, 1, 9]  # the well-known first training labels
    # The target is 1.5 s; the bound leaves room for a busy shared machine.
    assert seconds < 6.0, f"cold MNIST load took {seconds:.2f} s"
    start = time.perf_counter()
    again = mnist.load_idx_set("mnist", data_dir=data_dir, cache_dir="/nonexistent", download=False)
    assert again[0] is x and time.perf_counter() - start < 0.1
    assert not x.flags.writeable  # shared by every caller of the cache


# ---- small fake sets, registered under a test-only name ----------------------------------

def make_tiny(folder: Path, n_train=6, n_test=3, seed=0, gz=True):
    """Write a tiny IDX set into `folder`; returns the IdxSet describing it and the arrays."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, 4, 4), dtype=np.uint8),
        "train_labels": rng.integers(0, 3, n_train).astype(np.uint8),
        "test_images": rng.integers(0, 256, (n_test, 4, 4), dtype=np.uint8),
        "test_labels": rng.integers(0, 3, n_test).astype(np.uint8),
    }
    names = {"train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
             "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for role, a in arrays.items():
        write_idx(folder / (names[role] + (".gz" if gz else "")), a)
        files[role] = mnist.IdxFile(names[role], a.shape, sha256=hashlib.sha256(idx_bytes(a)).hexdigest())
    spec = mnist.IdxSet("tiny", "tiny", files, ("http://127.0.0.1:9/",), ("a", "b", "c"))
    return spec, arrays


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    monkeypatch.delenv("PLAYGROUND_DATA_DIR", raising=False)
    monkeypatch.setattr(mnist, "DEFAULT_CACHE_DIR", str(tmp_path / "cache"))  # the engine reads no environment for it
    spec, arrays = make_tiny(tmp_path / "data" / "tiny")
    monkeypatch.setitem(mnist.IDX_SETS, "tiny", spec)
    mnist.clear_cache()
    yield tmp_path / "data", spec, arrays
    mnist.clear_cache()


def test_fake_set_loads_scaled_with_channel_axis(tiny):
    data_dir, _, arrays = tiny
    x, y, x_test, y_test = mnist.load_idx_set("tiny", data_dir=data_dir, download=False)
    np.testing.assert_allclose(x[..., 0], arrays["train_images"] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, arrays["train_labels"])
    assert x.shape == (6, 4, 4, 1) and x_test.shape == (3, 4, 4, 1) and y_test.dtype == np.int64


def test_env_var_points_at_local_files(tiny, monkeypatch):
    data_dir, _, _ = tiny
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(data_dir))
    assert mnist.files_available("tiny")
    assert mnist.load_idx_set("tiny", download=False)[0].shape == (6, 4, 4, 1)


def test_raw_files_are_found_too(tmp_path, monkeypatch):
    spec, arrays = make_tiny(tmp_path / "tiny", gz=False)
    monkeypatch.setitem(mnist.IDX_SETS, "tiny", spec)
    mnist.clear_cache()
    x = mnist.load_idx_set("tiny", data_dir=tmp_path, cache_dir=tmp_path / "c", download=False)[0]
    assert x.shape == (6, 4, 4, 1)


def test_data_dir_wins_over_cache(tiny, tmp_path):
    data_dir, _, _ = tiny
    make_tiny(tmp_path / "cache" / "tiny", seed=5)
    paths = mnist.locate_files("tiny", data_dir=data_dir)
    assert all(str(p).startswith(str(data_dir)) for p in paths.values())


def test_checksum_mismatch_is_refused_naming_the_file(tiny):
    data_dir, spec, arrays = tiny
    damaged = arrays["train_images"].copy()
    damaged[0, 0, 0] ^= 1
    write_idx(data_dir / "tiny" / "train-images-idx3-ubyte.gz", damaged)
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz: sha256 .* expected"):
        mnist.load_idx_set("tiny", data_dir=data_dir, download=False)


def test_count_mismatch_between_images_and_labels(tiny, monkeypatch):
    data_dir, spec, arrays = tiny
    labels = arrays["train_labels"][:5]
    write_idx(data_dir / "tiny" / "train-labels-idx1-ubyte.gz", labels)
    files = dict(spec.files, train_labels=mnist.IdxFile("train-labels-idx1-ubyte", (5,)))
    monkeypatch.setitem(mnist.IDX_SETS, "tiny", mnist.IdxSet("tiny", "tiny", files, (), spec.class_names))
    with pytest.raises(DataError, match="train has 6 images but 5 labels"):
        mnist.load_idx_set("tiny", data_dir=data_dir, download=False)


def test_unexpected_shape_and_label_range(tiny, monkeypatch):
    data_dir, spec, arrays = tiny
    write_idx(data_dir / "tiny" / "t10k-labels-idx1-ubyte.gz", np.array([0, 1, 7], np.uint8))
    files = dict(spec.files, test_labels=mnist.IdxFile("t10k-labels-idx1-ubyte", (3,)))
    monkeypatch.setitem(mnist.IDX_SETS, "tiny", mnist.IdxSet("tiny", "tiny", files, (), spec.class_names))
    with pytest.raises(DataError, match="labels reach 7"):
        mnist.load_idx_set("tiny", data_dir=data_dir, download=False)
    write_idx(data_dir / "tiny" / "t10k-labels-idx1-ubyte.gz", np.array([0, 1], np.uint8))
    with pytest.raises(DataError, match=r"shape \(2,\), expected \(3,\)"):
        mnist.load_idx_set("tiny", data_dir=data_dir, download=False)


def test_truncated_file_is_refused_not_half_loaded(tiny):
    data_dir, _, _ = tiny
    path = data_dir / "tiny" / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte.gz: corrupt gzip"):
        mnist.load_idx_set("tiny", data_dir=data_dir, download=False)


def test_missing_files_without_download(tiny, tmp_path):
    (tiny[0] / "tiny" / "train-labels-idx1-ubyte.gz").unlink()
    assert not mnist.files_available("tiny", data_dir=tiny[0])
    with pytest.raises(DataError, match="missing train-labels-idx1-ubyte.*looked in"):
        mnist.load_idx_set("tiny", data_dir=tiny[0], download=False)


def test_unknown_set_name():
    with pytest.raises(DataError, match="unknown IDX dataset"):
        mnist.locate_files("cifar")


def test_published_tables():
    assert set(mnist.IDX_SETS) == {"mnist", "fashion-mnist"}
    fashion = mnist.IDX_SETS["fashion-mnist"]
    assert fashion.class_names[0] == "T-shirt/top" and fashion.class_names[9] == "Ankle boot"
    assert fashion.files["train_images"].md5_gz == "8d4fb7e6c68d591d4c3dfef9ec88bf0d"
    assert mnist.IDX_SETS["mnist"].mirrors[0] == "https://ossci-datasets.s3.amazonaws.com/mnist/"


def test_cache_dir_is_a_parameter_not_the_environment(tmp_path, monkeypatch):
    """The engine takes the cache folder from its caller (the server's
    Settings.cache_dir, a command line's own flag); PLAYGROUND_CACHE_DIR is read
    by those, never inside the engine."""
    monkeypatch.setenv("PLAYGROUND_CACHE_DIR", str(tmp_path / "from-env"))
    assert mnist.resolve_cache_dir(tmp_path / "given") == tmp_path / "given"
    assert mnist.resolve_cache_dir() == Path(mnist.DEFAULT_CACHE_DIR).expanduser()
