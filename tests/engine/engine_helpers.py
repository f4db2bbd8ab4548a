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
