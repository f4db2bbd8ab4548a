"""A user's own dataset in an .npz: `x`, `y`, optional `x_test`, `y_test`, shapes checked.

    x: (N, ...) numbers          (N, H, W) images get a channel axis -> (N, H, W, 1);
                                 uint8 images are scaled to [0, 1]; (N,) becomes (N, 1)
    y: (N,) integer labels       classification, num_classes = max label + 1
       (N, k) float targets      regression, num_classes = 0
    x_test, y_test: both or neither, same trailing shapes and kind of y

Loaded with allow_pickle=False; every error is a DataError naming the key and
its shape. Without a test set, the test arrays are empty (0 rows), so the
file's own order is kept for training.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .idx import DataError

KEYS = ("x", "y", "x_test", "y_test")
# Labels are class indices: a stray huge label would make a model (and a class
# name list) that size, so more classes than this is an error.
MAX_CLASSES = 1000


@dataclass(frozen=True)
class NpzData:
    x: np.ndarray
    y: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int
    kind: str  # "image" | "2d" | "1d" | "features"


def _read(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            names = set(archive.files)
            return {key: archive[key] for key in KEYS if key in names}
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except ValueError as exc:
        # np.load raises ValueError for object arrays under allow_pickle=False.
        raise DataError(f"{path}: holds Python objects, which are not loaded (only numeric arrays): {exc}") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(f"{path}: not a readable .npz file ({exc})") from None


def _features(key: str, a: np.ndarray, source: Path) -> np.ndarray:
    if a.dtype.kind not in "biuf":
        raise DataError(f"{source}: '{key}' must hold numbers, got dtype {a.dtype} with shape {a.shape}")
    if a.ndim == 0 or len(a) == 0:
        raise DataError(f"{source}: '{key}' must have shape (N, ...) with N >= 1, got {a.shape}")
    scale = a.dtype == np.uint8 and a.ndim >= 3
    if a.ndim == 1:
        a = a[:, None]
    elif a.ndim == 3:
        a = a[..., None]
    out = a.astype(np.float32)
    if scale:
        out /= np.float32(255.0)
    if not np.isfinite(out).all():
        raise DataError(f"{source}: '{key}' (shape {a.shape}) contains NaN or infinite values")
    return out


def _targets(key: str, a: np.ndarray, n: int, source: Path) -> np.ndarray:
    if a.dtype.kind not in "biuf":
        raise DataError(f"{source}: '{key}' must hold numbers, got dtype {a.dtype} with shape {a.shape}")
    if a.ndim not in (1, 2) or len(a) != n:
        raise DataError(f"{source}: '{key}' has shape {a.shape}; expected ({n},) labels or ({n}, k) targets")
    if a.ndim == 2:
        out = a.astype(np.float32)
        if not np.isfinite(out).all():
            raise DataError(f"{source}: '{key}' (shape {a.shape}) contains NaN or infinite values")
        return out
    if a.dtype.kind == "f":
        raise DataError(
            f"{source}: '{key}' has shape {a.shape} and float dtype {a.dtype}: give integer class labels "
            "(y.astype(int)) or regression targets shaped (N, 1)"
        )
    if a.size and a.min() < 0:
        raise DataError(f"{source}: '{key}' (shape {a.shape}) has negative labels (min {a.min()})")
    return a.astype(np.int64)


def _kind(x: np.ndarray) -> str:
    if x.ndim == 4:
        return "image"
    return {1: "1d", 2: "2d"}.get(x.shape[1], "features") if x.ndim == 2 else "features"


def load_npz(path: str | Path) -> NpzData:
    """Read and check a user dataset file -> NpzData (float32 x, int64 labels or float32 targets)."""
    path = Path(path)
    arrays = _read(path)
    for key in ("x", "y"):
        if key not in arrays:
            found = ", ".join(arrays) or "none of x, y, x_test, y_test"
            raise DataError(f"{path}: missing key '{key}' (found: {found})")
    if ("x_test" in arrays) != ("y_test" in arrays):
        have, lack = ("x_test", "y_test") if "x_test" in arrays else ("y_test", "x_test")
        raise DataError(f"{path}: has '{have}' but not '{lack}'; give both or neither")
    x = _features("x", arrays["x"], path)
    y = _targets("y", arrays["y"], len(x), path)
    if "x_test" in arrays:
        x_test = _features("x_test", arrays["x_test"], path)
        if x_test.shape[1:] != x.shape[1:]:
            raise DataError(
                f"{path}: 'x_test' has shape {arrays['x_test'].shape}, its samples must be shaped like "
                f"those of 'x' {x.shape[1:]}"
            )
        y_test = _targets("y_test", arrays["y_test"], len(x_test), path)
        if y_test.shape[1:] != y.shape[1:]:
            raise DataError(f"{path}: 'y_test' has shape {y_test.shape}, which does not match 'y' {y.shape}")
    else:
        x_test, y_test = x[:0].copy(), y[:0].copy()
    if y.ndim == 1:
        num_classes = int(max(y.max(), y_test.max() if y_test.size else 0)) + 1
        if num_classes < 2:
            raise DataError(f"{path}: 'y' (shape {y.shape}) holds a single class; classification needs at least 2")
        if num_classes > MAX_CLASSES:
            raise DataError(f"{path}: labels go up to {num_classes - 1}; at most {MAX_CLASSES} classes "
                            f"(labels 0..{MAX_CLASSES - 1})")
    else:
        num_classes = 0
    return NpzData(x, y, x_test, y_test, num_classes, _kind(x))
