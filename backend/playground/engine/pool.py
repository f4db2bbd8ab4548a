"""Max and average pooling as differentiable ops: the readable reference, NHWC.

``max_pool2d(x, pool_size=2, stride=None, padding="valid")`` and
``avg_pool2d(...)``: ``x: (N, H, W, C) -> (N, H', W', C)``; stride defaults to
pool_size; SAME/VALID geometry as for convolution (im2col.py).

Each output is one window of the (padded) input, viewed without copying
(``im2col.windows``): max pooling takes the window's maximum, average pooling
its mean. Backward sends each window's gradient back through col2im, the same
scatter convolution uses.

Ties in max pooling: the gradient of a window goes to exactly one input, the
first maximal one in row-major window order (as PyTorch does). SAME max
pooling pads with -inf, so padding never wins. SAME average pooling divides by
the number of real (unpadded) inputs in each window, as TensorFlow does.

engine/fast/pool.py runs the same on batch-innermost arrays for training.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from playground.engine.im2col import Geometry, col2im, pad, unpad, windows
from playground.engine.tensor import Tensor

__all__ = ["max_pool2d", "avg_pool2d", "pool_geometry", "window_counts"]


def pool_geometry(h: int, w: int, pool_size: int, stride: int | None, padding: str) -> Geometry:
    if int(pool_size) != pool_size or pool_size < 1:
        raise ValueError(f"pool_size must be a positive integer, got {pool_size!r}")
    size = int(pool_size)
    return Geometry(h, w, size, size, size if stride is None else stride, padding)


def window_counts(g: Geometry) -> np.ndarray:
    """(H', W') number of real (unpadded) inputs in each window."""
    ones = pad(np.ones((1, g.h, g.w, 1)), g)
    return windows(ones, g).sum(axis=(3, 4, 5))[0]


def _input(x: Tensor | ArrayLike, kind: str) -> tuple[Tensor, np.ndarray]:
    xt = x if isinstance(x, Tensor) else Tensor(x)
    if xt.ndim != 4:
        raise ValueError(f"{kind}_pool2d needs a 4-D input, got shape {xt.shape}")
    xd = xt.data if np.issubdtype(xt.dtype, np.floating) else xt.data.astype(np.float32)
    return xt, xd


def max_pool2d(x: Tensor | ArrayLike, pool_size: int = 2, stride: int | None = None, padding: str = "valid") -> Tensor:
    """x: (N, H, W, C) -> (N, H', W', C), the max of each window."""
    xt, xd = _input(x, "max")
    n, h, w, c = xd.shape
    g = pool_geometry(h, w, pool_size, stride, padding)
    win = windows(pad(xd, g, fill=-np.inf), g).reshape(n, g.oh, g.ow, g.kh * g.kw, c)
    first = win.argmax(axis=3)                        # (N, H', W', C): first maximal input
    out = np.take_along_axis(win, first[:, :, :, None, :], axis=3)[:, :, :, 0, :]

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        onehot = np.arange(g.kh * g.kw)[:, None] == first[:, :, :, None, :]   # (N, H', W', KK, C)
        dwin = (onehot * grad[:, :, :, None, :]).reshape(n, g.oh, g.ow, g.kh, g.kw, c)
        return (unpad(col2im(dwin.astype(grad.dtype), g), g),)

    return Tensor.from_op(out, (xt,), backward, "max_pool2d")


def avg_pool2d(x: Tensor | ArrayLike, pool_size: int = 2, stride: int | None = None, padding: str = "valid") -> Tensor:
    """x: (N, H, W, C) -> (N, H', W', C), the mean of each window's real inputs."""
    xt, xd = _input(x, "avg")
    n, h, w, c = xd.shape
    g = pool_geometry(h, w, pool_size, stride, padding)
    inv = (1.0 / window_counts(g)).astype(xd.dtype)[None, :, :, None]   # (1, H', W', 1)
    out = windows(pad(xd, g), g).sum(axis=(3, 4)) * inv

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        share = (grad * inv)[:, :, :, None, None, :]   # every real input of a window gets an equal share
        dwin = np.broadcast_to(share, (n, g.oh, g.ow, g.kh, g.kw, c))
        return (unpad(col2im(dwin, g), g),)

    return Tensor.from_op(out.astype(xd.dtype, copy=False), (xt,), backward, "avg_pool2d")
