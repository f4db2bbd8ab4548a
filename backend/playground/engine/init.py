"""Weight initializers: the INITIALIZERS table, all returning float32 arrays.

Signature: ``init(shape, rng, fan_in=None, fan_out=None, stddev=0.05)``.
When the fans are not given they come from the shape (``compute_fans``):
dense ``(in, out)`` -> fan_in = in, fan_out = out; conv ``(KH, KW, C, F)`` ->
fan_in = KH*KW*C, fan_out = KH*KW*F (as in Keras).

- zeros
- normal:          N(0, stddev^2)
- glorot_uniform:  U(-l, l), l = sqrt(6 / (fan_in + fan_out))   (Glorot & Bengio 2010)
- he_normal:       N(0, 2 / fan_in)   (He et al. 2015; plain, not truncated, normal)
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np


def compute_fans(shape: Sequence[int]) -> tuple[int, int]:
    """(fan_in, fan_out) of a dense (in, out) or conv (KH, KW, C, F) weight."""
    dims = tuple(shape)
    if len(dims) == 0:
        return 1, 1
    if len(dims) == 1:
        return dims[0], dims[0]
    receptive = math.prod(dims[:-2])
    return receptive * dims[-2], receptive * dims[-1]


def _fans(shape: tuple[int, ...], fan_in: int | None, fan_out: int | None) -> tuple[int, int]:
    auto_in, auto_out = compute_fans(shape)
    return (auto_in if fan_in is None else fan_in), (auto_out if fan_out is None else fan_out)


def zeros(shape: tuple[int, ...], rng: np.random.Generator | None = None, fan_in: int | None = None,
          fan_out: int | None = None, stddev: float = 0.05) -> np.ndarray:
    return np.zeros(shape, dtype=np.float32)


def normal(shape: tuple[int, ...], rng: np.random.Generator, fan_in: int | None = None, fan_out: int | None = None,
           stddev: float = 0.05) -> np.ndarray:
    if stddev < 0:
        raise ValueError(f"stddev must be >= 0, got {stddev}")
    return rng.standard_normal(shape, dtype=np.float32) * np.float32(stddev)


def glorot_uniform(shape: tuple[int, ...], rng: np.random.Generator, fan_in: int | None = None, fan_out: int | None = None,
                   stddev: float = 0.05) -> np.ndarray:
    fan_in, fan_out = _fans(shape, fan_in, fan_out)
    limit = np.float32(math.sqrt(6.0 / (fan_in + fan_out)))
    return rng.random(shape, dtype=np.float32) * (2 * limit) - limit


def he_normal(shape: tuple[int, ...], rng: np.random.Generator, fan_in: int | None = None, fan_out: int | None = None,
              stddev: float = 0.05) -> np.ndarray:
    fan_in, _ = _fans(shape, fan_in, fan_out)
    return rng.standard_normal(shape, dtype=np.float32) * np.float32(math.sqrt(2.0 / fan_in))


class Initializer(Protocol):
    """What every INITIALIZERS entry is called with (the signature in the module docstring)."""

    def __call__(self, shape: tuple[int, ...], rng: np.random.Generator, fan_in: int | None = None,
                 fan_out: int | None = None, stddev: float = 0.05) -> np.ndarray: ...


INITIALIZERS: dict[str, Initializer] = {
    "zeros": zeros,
    "normal": normal,
    "glorot_uniform": glorot_uniform,
    "he_normal": he_normal,
}


def initialize(name: str, shape: Sequence[int], rng: np.random.Generator, fan_in: int | None = None,
               fan_out: int | None = None, stddev: float = 0.05) -> np.ndarray:
    """Look ``name`` up in INITIALIZERS (ValueError naming the choices if unknown)."""
    try:
        fn = INITIALIZERS[name]
    except KeyError:
        raise ValueError(f"unknown initializer {name!r}; choose one of {sorted(INITIALIZERS)}") from None
    return fn(tuple(shape), rng, fan_in, fan_out, stddev=stddev)
