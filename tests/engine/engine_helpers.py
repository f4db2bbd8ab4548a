"""Helpers shared by the engine tests."""

import numpy as np


def central_grad(f, arr, eps=1e-6):
    """d f() / d arr by central differences, nudging arr in place one entry at a time."""
    grad = np.zeros_like(arr)
    flat, gflat = arr.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        gflat[i] = (up - down) / (2 * eps)
    return grad


# Layer geometries both the reference kernels (tests/engine/test_conv.py,
# test_pool.py) and the fast ones (tests/engine/fast/) are checked on.
# (N, H, W, C, F, K, stride, padding): odd and even sizes, kernel > stride,
# kernel < stride, 1x1 kernels, several channels, SAME and VALID.
CONV_CASES = [
    (2, 7, 7, 3, 4, 3, 1, "same"),
    (2, 8, 6, 2, 3, 3, 2, "same"),
    (1, 9, 8, 1, 2, 5, 2, "same"),
    (2, 6, 6, 3, 2, 4, 1, "same"),
    (2, 7, 6, 2, 3, 3, 1, "valid"),
    (3, 8, 8, 2, 2, 3, 2, "valid"),
    (2, 9, 7, 1, 3, 2, 2, "valid"),
    (1, 5, 5, 3, 4, 1, 1, "valid"),
    (2, 6, 7, 2, 2, 1, 2, "same"),
    (2, 7, 7, 2, 2, 2, 3, "valid"),
    (1, 10, 9, 2, 2, 3, 3, "same"),
    # Big enough that a small-K product runs as a batch of column blocks (fast/conv.py).
    (8, 28, 28, 1, 4, 5, 1, "same"),
    (24, 30, 30, 2, 3, 3, 2, "valid"),
]
# (N, H, W, C, pool_size, stride or None, padding)
POOL_CASES = [
    (2, 8, 8, 3, 2, None, "valid"),
    (2, 7, 9, 2, 2, None, "valid"),
    (2, 7, 7, 2, 2, None, "same"),
    (1, 9, 8, 2, 3, 2, "valid"),
    (2, 9, 8, 1, 3, 2, "same"),
    (1, 6, 7, 2, 3, 1, "same"),
    (2, 8, 6, 2, 2, 1, "valid"),
    (1, 10, 10, 2, 3, None, "same"),
    (1, 7, 7, 1, 1, 2, "valid"),
]
