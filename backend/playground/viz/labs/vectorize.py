"""Vectorized arrays lab: the same dot product or matrix product, as a Python
loop over elements and as one NumPy call, timed on this server.

The notes: "Don't loop over elements in an array". Sizes are bounded so the
loop stays under a fraction of a second; both answers are compared so the
speed-up is for the same result.
"""

from __future__ import annotations

import time

import numpy as np

OPERATIONS = ("dot", "matmul")
REPEATS = 3


def _loop_dot(a, b) -> float:
    total = 0.0
    for i in range(len(a)):
        total += a[i] * b[i]
    return total


def _loop_matmul(a, b) -> list:
    n, k, m = len(a), len(b), len(b[0])
    out = [[0.0] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            s = 0.0
            for t in range(k):
                s += a[i][t] * b[t][j]
            out[i][j] = s
    return out


def _best_time(fn, *args) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, result


def vectorize_lab(operation: str, size: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    if operation == "dot":
        a, b = rng.standard_normal(size), rng.standard_normal(size)
        loop_args, np_fn = (a.tolist(), b.tolist()), np.dot
        loop_fn, flops = _loop_dot, 2 * size
    else:
        a, b = rng.standard_normal((size, size)), rng.standard_normal((size, size))
        loop_args, np_fn = (a.tolist(), b.tolist()), np.matmul
        loop_fn, flops = _loop_matmul, 2 * size ** 3
    loop_s, loop_out = _best_time(loop_fn, *loop_args)
    numpy_s, numpy_out = _best_time(np_fn, a, b)
    diff = float(np.max(np.abs(np.asarray(loop_out) - numpy_out)))
    return {
        "operation": operation, "size": size, "flops": flops,
        "loop_seconds": loop_s, "numpy_seconds": numpy_s,
        "speedup": loop_s / max(numpy_s, 1e-9), "max_difference": diff,
    }
