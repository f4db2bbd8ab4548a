"""Finite differences: the numeric derivative, and a gradient check for any op.

The third way to differentiate (beside reverse mode in tensor.py and forward
mode in forward_mode.py): evaluate the function at nearby points.

- forward difference  (f(x + h) - f(x)) / h            error O(h)
- central difference  (f(x + h) - f(x - h)) / (2h)     error O(h^2)

``gradient_check`` compares a Tensor function's backward() against central
differences in float64; every op's test uses it.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from playground.engine.tensor import Tensor

METHODS = ("central", "forward")


def numeric_derivative(f: Callable[[float], float], x: float, h: float = 1e-5, method: str = "central") -> float:
    """df/dx at a scalar x by finite differences."""
    if method == "central":
        return (f(x + h) - f(x - h)) / (2 * h)
    if method == "forward":
        return (f(x + h) - f(x)) / h
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def numeric_gradient(f: Callable[[np.ndarray], float], array: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar f(array) w.r.t. every element.

    ``array`` must be float64 (float32 rounding would swamp the difference); it
    is perturbed in place, one element at a time, and restored afterwards.
    """
    if array.dtype != np.float64:
        raise TypeError(f"numeric_gradient needs a float64 array, got {array.dtype}")
    grad = np.zeros_like(array)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, array):
        raise ValueError("numeric_gradient needs a contiguous array (it perturbs it in place)")
    # One evaluation pair per element is the definition of the method; it is
    # only used on the small arrays of tests.
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        plus = float(f(array))
        flat[i] = old - eps
        minus = float(f(array))
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """max |a - n| relative to the largest magnitude of either (0 if both are 0)."""
    scale = max(float(np.max(np.abs(analytic), initial=0.0)), float(np.max(np.abs(numeric), initial=0.0)))
    diff = float(np.max(np.abs(analytic - numeric), initial=0.0))
    return diff / scale if scale > 0 else diff


def gradient_check(f: Callable[..., Tensor], inputs: Sequence[Tensor | ArrayLike], eps: float = 1e-6, seed: int = 0) -> float:
    """Largest relative error between backward() and central differences.

    ``f(*tensors)`` returns a Tensor of any shape; it is reduced to a scalar by a
    fixed random weighting (so every output element's gradient is exercised).
    ``inputs`` are arrays (copied to float64). Returns the max over inputs of
    ``relative_error(analytic, numeric)``; a correct op gives about 1e-8.
    """
    arrays = [np.array(x.data if isinstance(x, Tensor) else x, dtype=np.float64) for x in inputs]
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    out = f(*tensors)
    weights = np.random.default_rng(seed).standard_normal(out.shape)
    (out * weights).sum().backward()

    worst = 0.0
    for k, (a, t) in enumerate(zip(arrays, tensors)):
        def scalar(arr: np.ndarray, k: int = k) -> float:
            args = [Tensor(arr if j == k else other) for j, other in enumerate(arrays)]
            return float(np.sum(f(*args).data * weights))
        numeric = numeric_gradient(scalar, a, eps)
        analytic = t.grad if t.grad is not None else np.zeros_like(a)
        worst = max(worst, relative_error(analytic, numeric))
    return worst
