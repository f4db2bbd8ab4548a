"""The DATASETS table and `load_dataset(name, ...)`: one entry point for every dataset.

    ds = load_dataset("mnist", seed=0, val_split=0.1)
    ds.x_train (N, 28, 28, 1) float32 in [0, 1], ds.y_train (N,) int64, ds.info, ds.class_names
    ds = load_dataset("spiral", noise=0.2, n_samples=500, seed=3)
    ds = load_dataset("mine", path="mine.npz")        # or load_dataset("mine.npz")

    ds = load_dataset("mnist", class_fractions={8: 0.02})  # keep 2% of the training 8s

Seeds: one SeedSequence(seed) is spawned into (toy train, toy test, split, bias),
so the data of a toy set does not depend on val_split and vice versa, and
class_fractions thins the training split without moving the validation split.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from . import mnist, npz, toy
from .bias import check_class_fractions, keep_class_fractions
from .idx import DataError
from .mnist import Folder
from .split import train_val_split


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    kind: str  # "image" | "2d" | "1d" (user files may also be "features": flat vectors)
    input_shape: tuple[int, ...]
    num_classes: int  # 0 = regression
    train_size: int  # before the validation split
    test_size: int
    description: str
    params: dict = field(default_factory=dict)  # tunable generator params: name -> {default, min, max}

    def to_dict(self) -> dict:
        return {
            "name": self.name, "kind": self.kind, "input_shape": list(self.input_shape),
            "num_classes": self.num_classes, "train_size": self.train_size,
            "test_size": self.test_size, "description": self.description,
            "params": {k: dict(v) for k, v in self.params.items()},
        }


@dataclass
class Dataset:
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    info: DatasetInfo
    class_names: tuple[str, ...] | None = None  # None for regression

    @property
    def num_classes(self) -> int:
        return self.info.num_classes

    @property
    def input_shape(self) -> tuple[int, ...]:
        return self.info.input_shape


_TOY_PARAMS = {
    "noise": {"default": 0.0, "min": toy.NOISE_RANGE[0], "max": toy.NOISE_RANGE[1]},
    "n_samples": {"default": toy.DEFAULT_SAMPLES, "min": 2, "max": toy.MAX_SAMPLES},
}


def _build_table() -> dict[str, DatasetInfo]:
    table = {
        "mnist": DatasetInfo("mnist", "image", (28, 28, 1), 10, 60000, 10000,
                             "MNIST handwritten digits 0-9, 28x28 grey"),
        "fashion-mnist": DatasetInfo("fashion-mnist", "image", (28, 28, 1), 10, 60000, 10000,
                                     "Fashion-MNIST: 10 kinds of Zalando clothing, 28x28 grey"),
    }
    n = toy.DEFAULT_SAMPLES
    for name, (_, description) in toy.TOY_2D.items():
        table[name] = DatasetInfo(name, "2d", (2,), 2, n, n, description, _TOY_PARAMS)
    for name, (_, description) in toy.FUNCTIONS_1D.items():
        table[name] = DatasetInfo(name, "1d", (1,), 0, n, n, description, _TOY_PARAMS)
    return table


DATASETS: dict[str, DatasetInfo] = _build_table()


def _split_rng(seed: int) -> np.random.Generator:
    # Child 2 of SeedSequence(seed); toy.make_toy uses children 0 and 1.
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(3)[2])


def _bias_rng(seed: int) -> np.random.Generator:
    # Child 3: its own stream, so thinning never shifts the split or the toy data.
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(4)[3])


Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _biased(split: Split, fractions: dict[int, float], seed: int) -> Split:
    """(x_train, y_train, x_val, y_val) with only the training part thinned."""
    x_train, y_train, x_val, y_val = split
    x_train, y_train = keep_class_fractions(x_train, y_train, fractions, _bias_rng(seed))
    return x_train, y_train, x_val, y_val


def _is_npz(name: str) -> bool:
    return name.endswith(".npz")


def load_dataset(name: str, *, data_dir: Folder = None, seed: int = 0, val_split: float | None = 0.1,
                 noise: float | None = None, n_samples: int | None = None, path: str | Path | None = None,
                 cache_dir: Folder = None, download: bool = True,
                 class_fractions: object = None) -> Dataset:
    """Load `name` (a DATASETS key or an .npz path; `path=` names the file of a user set).

    noise / n_samples apply to toy sets and are ignored by the others; None means
    the default (also for val_split, 0.1). class_fractions {class: f in (0, 1]}
    keeps round(f * n) (at least 1) of that class's training samples, seeded;
    validation and test are untouched (classification sets only). MNIST-type
    sets read local files or the cache and download what is missing (unless
    download=False). Raises DataError for bad files, ValueError for bad params.
    """
    val_split = 0.1 if val_split is None else val_split
    if path is not None or _is_npz(name):
        return _load_npz(name, Path(path if path is not None else name), seed, val_split, class_fractions)
    if name not in DATASETS:
        raise DataError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)} or a path to an .npz file")
    info = DATASETS[name]
    fractions = check_class_fractions(class_fractions, info.num_classes)
    split_rng = _split_rng(seed)
    class_names = None
    if name in mnist.IDX_SETS:
        x, y, x_test, y_test = mnist.load_idx_set(name, data_dir, cache_dir, download)
        class_names = mnist.IDX_SETS[name].class_names
    else:
        n = toy.DEFAULT_SAMPLES if n_samples is None else n_samples
        x, y, x_test, y_test = toy.make_toy(name, n, 0.0 if noise is None else noise, seed)
        info = replace(info, train_size=len(x), test_size=len(x_test))
        if info.num_classes:
            class_names = ("0", "1")
    split = _biased(train_val_split(x, y, val_split, split_rng), fractions, seed)
    x_train, y_train, x_val, y_val = split
    return Dataset(x_train, y_train, x_val, y_val, x_test, y_test, info, class_names)


def _load_npz(name: str, path: Path, seed: int, val_split: float, class_fractions: object = None) -> Dataset:
    data = npz.load_npz(path)
    fractions = check_class_fractions(class_fractions, data.num_classes)
    label = name if name and not _is_npz(name) else path.name
    info = DatasetInfo(label, data.kind, tuple(data.x.shape[1:]), data.num_classes, len(data.x),
                       len(data.x_test), f"user dataset {path.name}")
    split_rng = _split_rng(seed)
    split = _biased(train_val_split(data.x, data.y, val_split, split_rng), fractions, seed)
    class_names = tuple(str(i) for i in range(data.num_classes)) if data.num_classes else None
    x_train, y_train, x_val, y_val = split
    return Dataset(x_train, y_train, x_val, y_val, data.x_test, data.y_test, info, class_names)


def dataset_available(name: str, data_dir: Folder = None, cache_dir: Folder = None) -> bool:
    """True when `name` can be loaded without a download (toy sets always; .npz if the file exists)."""
    if name in mnist.IDX_SETS:
        return mnist.files_available(name, data_dir, cache_dir)
    if name in DATASETS:
        return True
    return _is_npz(name) and Path(name).is_file()


def list_datasets(data_dir: Folder = None, cache_dir: Folder = None) -> list[dict[str, Any]]:
    """JSON-ready rows for every built-in dataset, with `available` (no download needed)."""
    rows = []
    for name, info in DATASETS.items():
        row = info.to_dict()
        row["available"] = dataset_available(name, data_dir, cache_dir)
        rows.append(row)
    return rows
