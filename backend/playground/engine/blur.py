"""Blur before subsampling: the antialiasing the course notes suggest for pooling.

Max pooling with stride s keeps one value per window and jumps s pixels at a
time, so a one-pixel shift of the input can change its output a lot (aliasing).
Zhang's BlurPool ("Making convolutional networks shift-invariant again", 2019)
splits it in two: the max over each window at stride 1 (dense, no jump), then a
fixed low-pass filter, the binomial [1, 2, 1] x [1, 2, 1] / 16, applied with
stride s. With 'valid' windows the output has the plain pool's size:
ceil((H - k + 1) / s) = floor((H - k) / s) + 1.

Both layouts keep the two spatial axes at 1 and 2 ((N, H, W, C) and
(C, H, W, N)), so one kernel serves both; it loops over the 9 filter offsets
only, and each offset's strided slices do not overlap, so the backward pass
adds into disjoint cells without np.add.at.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .tensor import Tensor

KERNEL = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0]) / 16.0


def _out_size(n: int, stride: int) -> int:
    return -(-n // stride)  # 'same' padding: ceil(n / stride)


def blur_subsample_reference(x: np.ndarray, stride: int) -> np.ndarray:
    """The readable version, one output pixel at a time: x (B, H, W, C) -> (B, H', W', C)."""
    b, h, w, c = x.shape
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    out = np.zeros((b, _out_size(h, stride), _out_size(w, stride), c), dtype=x.dtype)
    for i in range(out.shape[1]):
        for j in range(out.shape[2]):
            patch = xp[:, i * stride:i * stride + 3, j * stride:j * stride + 3, :]
            out[:, i, j, :] = np.einsum("bhwc,hw->bc", patch, KERNEL)
    return out


def blur_subsample(x: Tensor | ArrayLike, stride: int) -> Tensor:
    """x: (A, H, W, B) with H, W at axes 1, 2 (NHWC or CHWN) -> (A, ceil(H/s), ceil(W/s), B):
    the binomial blur, zero-padded by one pixel ('same'), taken every `stride` pixels."""
    xt = x if isinstance(x, Tensor) else Tensor(x)
    a, h, w, b = xt.shape
    ho, wo = _out_size(h, stride), _out_size(w, stride)
    xp = np.pad(xt.data, ((0, 0), (1, 1), (1, 1), (0, 0)))
    k = KERNEL.astype(xt.dtype)
    spans = [(di, dj, slice(di, di + stride * (ho - 1) + 1, stride), slice(dj, dj + stride * (wo - 1) + 1, stride))
             for di in range(3) for dj in range(3)]
    out = np.zeros((a, ho, wo, b), dtype=xt.dtype)
    for di, dj, rows, cols in spans:
        out += k[di, dj] * xp[:, rows, cols, :]

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        gp = np.zeros_like(xp)
        for di, dj, rows, cols in spans:
            gp[:, rows, cols, :] += k[di, dj] * grad
        return (gp[:, 1:h + 1, 1:w + 1, :],)

    return Tensor.from_op(out, (xt,), backward, "blur_subsample")
