"""Reusable scratch and output arrays for the conv and pooling kernels.

Allocating the large per-step arrays of a convolution (padded input, im2col
columns, outputs, gradients) anew every step costs about as much as the
matmuls themselves: fresh pages fault in, freed ones go back to the OS. The
kernels therefore take their arrays from this pool, keyed by a tag, shape and
dtype.

Reuse is safe by construction: a pooled array is handed out again only when
nothing but the pool refers to it (checked with the reference count). An
output that still lives in the autodiff graph, in a ``.grad`` or in a caller's
variable - or any view of it, since a view keeps its base alive - is never
overwritten. Two forwards in flight simply use two arrays.
"""

from __future__ import annotations

import math
import sys
import threading

import numpy as np
from numpy.typing import DTypeLike

# More arrays than this per key means the caller keeps them all alive (for
# example a list of outputs); those are then allocated without pooling.
_MAX_PER_KEY = 4
# Arrays larger than this (the im2col columns of a 1000-image evaluation batch,
# say) are not kept: a training step's arrays are far smaller, and holding
# hundreds of MB per worker process for an occasional big batch is not worth it.
MAX_POOLED_BYTES = 64 * 2**20

_pool: dict[tuple, list[np.ndarray]] = {}
_lock = threading.Lock()


def _refcount_when_free() -> int:
    # The count a pooled array shows inside _take() when only the pool holds
    # it, measured rather than assumed (it differs between Python versions).
    probe = [np.empty(1)]
    for arr in probe:
        return sys.getrefcount(arr)
    raise AssertionError("unreachable")


_FREE = _refcount_when_free()


def take(tag: str, shape: tuple[int, ...], dtype: DTypeLike, zero: bool = False) -> np.ndarray:
    """An array of `shape`/`dtype` that nobody else references.

    Contents are arbitrary unless `zero` is true. Callers that need a zero
    border (padding) and overwrite only the interior use `take_zeroed_border`.
    """
    arr, fresh = _take(tag, tuple(shape), np.dtype(dtype))
    if zero and not fresh:
        arr.fill(0)
    return arr


def take_zeroed_border(tag: str, shape: tuple[int, ...], dtype: DTypeLike) -> np.ndarray:
    """Like `take`, but the array was zero when first made and callers only
    ever write its interior, so its border is still zero on reuse.

    The tag must be used for nothing else (the guarantee rests on it).
    """
    return _take("border:" + tag, tuple(shape), np.dtype(dtype))[0]


def _take(tag: str, shape: tuple[int, ...], dtype: np.dtype) -> tuple[np.ndarray, bool]:
    """(array, fresh): a fresh array is all zeros."""
    if math.prod(shape) * dtype.itemsize > MAX_POOLED_BYTES:
        return np.zeros(shape, dtype), True
    key = (tag, shape, dtype.str)
    with _lock:
        arrays = _pool.setdefault(key, [])
        for arr in arrays:
            if sys.getrefcount(arr) == _FREE:
                return arr, False
        # np.zeros maps zeroed pages lazily: no slower than np.empty plus a fill.
        arr = np.zeros(shape, dtype)
        if len(arrays) < _MAX_PER_KEY:
            arrays.append(arr)
        return arr, True


def clear() -> None:
    """Drop every pooled array (tests, or to give memory back)."""
    with _lock:
        _pool.clear()


def pooled_bytes() -> int:
    """Bytes currently held by the pool."""
    with _lock:
        return sum(a.nbytes for arrays in _pool.values() for a in arrays)
