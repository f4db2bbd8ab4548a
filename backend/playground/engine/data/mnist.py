"""MNIST and Fashion-MNIST: where their IDX files live, how they are checked, and loading.

Files are looked for in `<data_dir>/<folder>/` (data_dir: argument, else the
PLAYGROUND_DATA_DIR environment variable), then in `<cache_dir>/<folder>/`
(argument, default DEFAULT_CACHE_DIR; the server's setting is PLAYGROUND_CACHE_DIR),
each as `name` or `name.gz`. Missing files are fetched into the cache by `download.ensure_dataset`.

Checks: MNIST files must match the published sha256 of their uncompressed bytes.
Fashion-MNIST publishes only md5 sums of its .gz files, so those are checked on
download; local copies are checked for structure (shape, counts, label range).
Parsed arrays are kept in a small in-process LRU, because the server loads the
same set for many runs.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .idx import DataError, parse_idx, read_bytes

ROLES = ("train_images", "train_labels", "test_images", "test_labels")
Folder = str | Path | None  # a data or cache folder as callers give it
DEFAULT_CACHE_DIR = "~/.cache/nn-playground"


@dataclass(frozen=True)
class IdxFile:
    """One IDX file of a set: base name (without .gz), expected shape and checksums."""

    filename: str
    shape: tuple[int, ...]
    sha256: str | None = None  # of the uncompressed bytes
    md5_gz: str | None = None  # of the published .gz file (checked on download)


@dataclass(frozen=True)
class IdxSet:
    """An image classification set stored as four IDX files."""

    name: str
    folder: str
    files: dict[str, IdxFile]  # role (ROLES) -> file
    mirrors: tuple[str, ...]
    class_names: tuple[str, ...]


IDX_SETS: dict[str, IdxSet] = {
    "mnist": IdxSet(
        name="mnist",
        folder="mnist",
        files={
            "train_images": IdxFile(
                "train-images-idx3-ubyte", (60000, 28, 28),
                sha256="ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            "train_labels": IdxFile(
                "train-labels-idx1-ubyte", (60000,),
                sha256="65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            "test_images": IdxFile(
                "t10k-images-idx3-ubyte", (10000, 28, 28),
                sha256="0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            "test_labels": IdxFile(
                "t10k-labels-idx1-ubyte", (10000,),
                sha256="ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        },
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ),
        class_names=tuple(str(d) for d in range(10)),
    ),
    "fashion-mnist": IdxSet(
        name="fashion-mnist",
        folder="fashion-mnist",
        files={
            "train_images": IdxFile("train-images-idx3-ubyte", (60000, 28, 28),
                                    md5_gz="8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
            "train_labels": IdxFile("train-labels-idx1-ubyte", (60000,),
                                    md5_gz="25c81989df183df01b3e8a0aad5dffbe"),
            "test_images": IdxFile("t10k-images-idx3-ubyte", (10000, 28, 28),
                                   md5_gz="bef4ecab320f06d8554ea6380940ec79"),
            "test_labels": IdxFile("t10k-labels-idx1-ubyte", (10000,),
                                   md5_gz="bb300cfdad3c16e7a12a480ee83cd310"),
        },
        mirrors=(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        ),
        class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                     "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    ),
}


def get_set(name: str) -> IdxSet:
    try:
        return IDX_SETS[name]
    except KeyError:
        raise DataError(f"unknown IDX dataset {name!r}; known: {', '.join(IDX_SETS)}") from None


def resolve_data_dir(data_dir: str | Path | None = None) -> Path | None:
    """The local data folder: the argument, else PLAYGROUND_DATA_DIR, else none."""
    if data_dir is None:
        data_dir = os.environ.get("PLAYGROUND_DATA_DIR") or None
    return Path(data_dir).expanduser() if data_dir is not None else None


def resolve_cache_dir(cache_dir: str | Path | None = None) -> Path:
    """The download cache: the argument, else DEFAULT_CACHE_DIR. The engine reads
    no setting for it: the server passes Settings.cache_dir (PLAYGROUND_CACHE_DIR),
    the command lines read that variable themselves."""
    return Path(cache_dir if cache_dir is not None else DEFAULT_CACHE_DIR).expanduser()


def _find_in(folder: Path, filename: str) -> Path | None:
    for candidate in (folder / f"{filename}.gz", folder / filename):
        if candidate.is_file():
            return candidate
    return None


def locate_files(name: str, data_dir: Folder = None, cache_dir: Folder = None) -> dict[str, Path | None]:
    """role -> path of the file (data dir first, then cache), or None where missing."""
    spec = get_set(name)
    folders = [d / spec.folder for d in (resolve_data_dir(data_dir), resolve_cache_dir(cache_dir)) if d]
    found: dict[str, Path | None] = {}
    for role, file in spec.files.items():
        found[role] = next((p for p in (_find_in(f, file.filename) for f in folders) if p), None)
    return found


def files_available(name: str, data_dir: Folder = None, cache_dir: Folder = None) -> bool:
    """True when all four files are on disk (not verified: that happens on load)."""
    return all(p is not None for p in locate_files(name, data_dir, cache_dir).values())


def check_file(file: IdxFile, data: bytes, source: str | Path) -> np.ndarray:
    """Verify uncompressed bytes against the file's sha256 and expected shape -> parsed array."""
    if file.sha256 is not None:
        digest = hashlib.sha256(data).hexdigest()
        if digest != file.sha256:
            raise DataError(
                f"{source}: sha256 of the uncompressed bytes is {digest}, expected {file.sha256} "
                "(corrupt or not the published file)"
            )
    array = parse_idx(data, source)
    if array.shape != file.shape:
        raise DataError(f"{source}: shape {array.shape}, expected {file.shape} for {file.filename}")
    if array.dtype != np.uint8:
        raise DataError(f"{source}: element type {array.dtype}, expected uint8")
    return array


def load_files(name: str, paths: dict[str, Path]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Read, verify and convert the four files -> (x_train, y_train, x_test, y_test), cached.

    Images float32 in [0, 1], (N, 28, 28, 1); labels int64 (N,). Arrays are
    read-only because the cache hands the same arrays to every caller.
    """
    keys = []
    for role in ROLES:
        stat = paths[role].stat()
        keys.append((role, str(paths[role]), stat.st_mtime_ns, stat.st_size))
    return _load_cached(name, tuple(keys))


@lru_cache(maxsize=2)
def _load_cached(name: str, keys: tuple[tuple[str, str, int, int], ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    spec = get_set(name)
    arrays: dict[str, np.ndarray] = {}
    for role, path, _mtime, _size in keys:
        arrays[role] = check_file(spec.files[role], read_bytes(path), path)
    num_classes = len(spec.class_names)
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if len(images) != len(labels):
            raise DataError(f"{name}: {split} has {len(images)} images but {len(labels)} labels")
        if labels.size and labels.max() >= num_classes:
            raise DataError(f"{name}: {split} labels reach {labels.max()}, expected 0..{num_classes - 1}")
    out: list[np.ndarray] = []
    for split in ("train", "test"):
        images = arrays[f"{split}_images"]
        # Multiply by a float32 reciprocal into a preallocated float32 array: one pass, no float64.
        x = np.empty(images.shape + (1,), dtype=np.float32)
        np.multiply(images[..., None], np.float32(1.0 / 255.0), out=x, dtype=np.float32)
        y = arrays[f"{split}_labels"].astype(np.int64)
        x.flags.writeable = False
        y.flags.writeable = False
        out += [x, y]
    return out[0], out[1], out[2], out[3]


def clear_cache() -> None:
    """Forget the parsed arrays (tests, or after files changed in place)."""
    _load_cached.cache_clear()


def load_idx_set(name: str, data_dir: Folder = None, cache_dir: Folder = None,
                 download: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_test, y_test) of `name`, downloading missing files when allowed."""
    spec = get_set(name)
    paths = locate_files(name, data_dir, cache_dir)
    missing = [spec.files[role].filename for role, p in paths.items() if p is None]
    if missing:
        if not download:
            roots = (resolve_data_dir(data_dir), resolve_cache_dir(cache_dir))
            where = ", ".join(str(d / spec.folder) for d in roots if d)
            raise DataError(f"{name}: missing {', '.join(missing)} (looked in {where})")
        # Imported here, not at the top: `python -m playground.engine.data.download` must not
        # find its own module already imported through this package's __init__.
        from .download import ensure_dataset

        return load_files(name, ensure_dataset(name, data_dir=data_dir, cache_dir=cache_dir))
    return load_files(name, {role: p for role, p in paths.items() if p is not None})
