"""Max and average pooling as differentiable ops, NHWC and batch-innermost.

- ``max_pool2d(x, pool_size=2, stride=None, padding="valid")`` and
  ``avg_pool2d(...)``: ``x: (N, H, W, C) -> (N, H', W', C)``; stride defaults to
  pool_size; SAME/VALID geometry as in im2col.py (TensorFlow's rule).
- ``max_pool2d_chwn`` / ``avg_pool2d_chwn``: the same on ``(C, H, W, N)``.

Both loop over the pool_size**2 window offsets, each a strided slab of the
(padded) input: max pooling is a running ``np.maximum`` over the slabs (for 2x2
stride 2, the four strided sub-grids), average pooling a running sum.

Ties in max pooling: the gradient of a window goes to exactly one input, the
first maximal one in row-major window order (as PyTorch does), never split and
never duplicated. SAME max pooling pads with -inf, so padding never wins.
SAME average pooling divides by the number of real (unpadded) inputs in each
window, as TensorFlow does; with VALID padding that is pool_size**2 everywhere.
"""

from __future__ import annotations

import numpy as np

from playground.engine import workspace
from playground.engine.im2col import Geometry, pad_chwn, unpad_chwn
from playground.engine.tensor import Tensor

__all__ = ["max_pool2d", "avg_pool2d", "max_pool2d_chwn", "avg_pool2d_chwn",
           "max_pool_forward_chwn", "max_pool_backward_chwn",
           "avg_pool_forward_chwn", "avg_pool_backward_chwn", "pool_geometry"]


def pool_geometry(h: int, w: int, pool_size: int, stride: int | None, padding: str) -> Geometry:
    if int(pool_size) != pool_size or pool_size < 1:
        raise ValueError(f"pool_size must be a positive integer, got {pool_size!r}")
    return Geometry(h, w, int(pool_size), int(pool_size), pool_size if stride is None else stride, padding)


def _tiles(g: Geometry) -> bool:
    # Windows that neither overlap nor leave gaps: each input slab is written
    # exactly once, so the backward assigns instead of zero-fill + add.
    return g.s == g.kh == g.kw


# --- raw NumPy kernels ----------------------------------------------------------------

def max_pool_forward_chwn(x: np.ndarray, g: Geometry):
    """x: (C, H, W, N) -> (out (C, H', W', N), xp: the padded input the backward needs)."""
    xp = pad_chwn(x, g, "pool.xpad", fill=-np.inf)
    c, n = x.shape[0], x.shape[3]
    out = workspace.take("pool.out", (c, g.oh, g.ow, n), x.dtype)
    offsets = list(g.offsets())
    rows, cols = g.window(*offsets[0])
    np.copyto(out, xp[:, rows, cols, :])
    for i, j in offsets[1:]:
        rows, cols = g.window(i, j)
        np.maximum(out, xp[:, rows, cols, :], out=out)
    return out, xp


def max_pool_backward_chwn(dout: np.ndarray, out: np.ndarray, xp: np.ndarray, g: Geometry,
                           x_shape: tuple[int, ...]) -> np.ndarray:
    """dout: (C, H', W', N) -> dx (C, H, W, N); ties go to the first maximal input."""
    c, n = x_shape[0], x_shape[3]
    tiles = _tiles(g)
    dxp = workspace.take("pool.dxpad", (c, g.hp, g.wp, n), out.dtype, zero=not tiles)
    hit = workspace.take("pool.hit", out.shape, np.bool_)
    offsets = list(g.offsets())
    if tiles:
        # Fast path: route by equality alone, then count the hits. Exactly one
        # per window means no ties (the usual case for float activations), and
        # the result is final; otherwise redo with the first-maximum rule below.
        hits = 0
        for i, j in offsets:
            rows, cols = g.window(i, j)
            np.equal(xp[:, rows, cols, :], out, out=hit)
            hits += np.count_nonzero(hit)
            np.multiply(dout, hit, out=dxp[:, rows, cols, :])
        if hits == out.size:
            return unpad_chwn(dxp, g, x_shape, "pool.dx")
    open_ = workspace.take("pool.open", out.shape, np.bool_)  # windows whose max is not yet routed
    for k, (i, j) in enumerate(offsets):
        rows, cols = g.window(i, j)
        np.equal(xp[:, rows, cols, :], out, out=hit)
        if k == 0:
            np.logical_not(hit, out=open_)
        else:
            hit &= open_
            if k < len(offsets) - 1:
                open_ ^= hit  # hit is a subset of open_, so xor clears exactly those
        if tiles:
            np.multiply(dout, hit, out=dxp[:, rows, cols, :])
        else:
            dxp[:, rows, cols, :] += dout * hit
    return unpad_chwn(dxp, g, x_shape, "pool.dx")


def _avg_inverse_counts(g: Geometry, dtype) -> np.ndarray:
    """(H', W') array of 1 / (number of real inputs in each window)."""
    if g.pad_h == (0, 0) and g.pad_w == (0, 0):
        return np.full((g.oh, g.ow), 1.0 / (g.kh * g.kw), dtype)
    ones = np.zeros((g.hp, g.wp))
    rows, cols = g.interior()
    ones[rows, cols] = 1.0
    counts = np.zeros((g.oh, g.ow))
    for i, j in g.offsets():
        counts += ones[g.window(i, j)]
    return (1.0 / counts).astype(dtype)


def avg_pool_forward_chwn(x: np.ndarray, g: Geometry):
    """x: (C, H, W, N) -> (out (C, H', W', N), inv_counts (H', W'))."""
    xp = pad_chwn(x, g, "pool.xpad")
    c, n = x.shape[0], x.shape[3]
    out = workspace.take("pool.out", (c, g.oh, g.ow, n), x.dtype)
    offsets = list(g.offsets())
    rows, cols = g.window(*offsets[0])
    np.copyto(out, xp[:, rows, cols, :])
    for i, j in offsets[1:]:
        rows, cols = g.window(i, j)
        out += xp[:, rows, cols, :]
    inv = _avg_inverse_counts(g, x.dtype)
    out *= inv[None, :, :, None]
    return out, inv


def avg_pool_backward_chwn(dout: np.ndarray, inv: np.ndarray, g: Geometry,
                           x_shape: tuple[int, ...]) -> np.ndarray:
    """dout: (C, H', W', N) -> dx (C, H, W, N): each input gets dout / count of its windows."""
    c, n = x_shape[0], x_shape[3]
    tiles = _tiles(g)
    scaled = dout * inv[None, :, :, None]
    dxp = workspace.take("pool.dxpad", (c, g.hp, g.wp, n), dout.dtype, zero=not tiles)
    for i, j in g.offsets():
        rows, cols = g.window(i, j)
        if tiles:
            dxp[:, rows, cols, :] = scaled
        else:
            dxp[:, rows, cols, :] += scaled
    return unpad_chwn(dxp, g, x_shape, "pool.dx")


# --- differentiable ops -------------------------------------------------------------------

def _pool_op(x, pool_size, stride, padding, nhwc: bool, kind: str) -> Tensor:
    x = x if isinstance(x, Tensor) else Tensor(x)
    if x.ndim != 4:
        raise ValueError(f"{kind}_pool2d needs a 4-D input, got shape {x.shape}")
    xd = x.data if np.issubdtype(x.dtype, np.floating) else x.data.astype(np.float32)
    xc = np.ascontiguousarray(xd.transpose(3, 1, 2, 0)) if nhwc else xd
    g = pool_geometry(xc.shape[1], xc.shape[2], pool_size, stride, padding)
    x_shape = xc.shape
    if kind == "max":
        out, xp = max_pool_forward_chwn(xc, g)
    else:
        out, inv = avg_pool_forward_chwn(xc, g)

    def backward(grad):
        dout = grad.transpose(3, 1, 2, 0) if nhwc else grad
        if kind == "max":
            dx = max_pool_backward_chwn(dout, out, xp, g, x_shape)
        else:
            dx = avg_pool_backward_chwn(dout, inv, g, x_shape)
        return (np.ascontiguousarray(dx.transpose(3, 1, 2, 0)) if nhwc else dx,)

    data = np.ascontiguousarray(out.transpose(3, 1, 2, 0)) if nhwc else out
    name = f"{kind}_pool2d" + ("" if nhwc else "_chwn")
    return Tensor.from_op(data, (x,), backward, name)


def max_pool2d(x, pool_size: int = 2, stride: int | None = None, padding: str = "valid") -> Tensor:
    """x: (N, H, W, C) -> (N, H', W', C), the max of each window."""
    return _pool_op(x, pool_size, stride, padding, nhwc=True, kind="max")


def avg_pool2d(x, pool_size: int = 2, stride: int | None = None, padding: str = "valid") -> Tensor:
    """x: (N, H, W, C) -> (N, H', W', C), the mean of each window's real inputs."""
    return _pool_op(x, pool_size, stride, padding, nhwc=True, kind="avg")


def max_pool2d_chwn(x, pool_size: int = 2, stride: int | None = None, padding: str = "valid") -> Tensor:
    """x: (C, H, W, N) -> (C, H', W', N)."""
    return _pool_op(x, pool_size, stride, padding, nhwc=False, kind="max")


def avg_pool2d_chwn(x, pool_size: int = 2, stride: int | None = None, padding: str = "valid") -> Tensor:
    """x: (C, H, W, N) -> (C, H', W', N)."""
    return _pool_op(x, pool_size, stride, padding, nhwc=False, kind="avg")
