"""Max and average pooling on batch-innermost arrays, (C, H, W, N).

The reference is engine/pool.py (NHWC, windows viewed with
sliding_window_view); here each of the pool_size**2 window offsets is one
strided slab of the (padded) input: max pooling is a running ``np.maximum``
over the slabs (for 2x2 stride 2, the four strided sub-grids), average pooling
a running sum, and the backward writes each slab's share back. Same tie rule
(the first maximal input in row-major window order gets the gradient), same
-inf padding for SAME max pooling and the same per-window counts for SAME
average pooling.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided
from numpy.typing import ArrayLike

from playground.engine.fast import workspace
from playground.engine.fast.im2col import pad_chwn, unpad_chwn
from playground.engine.im2col import Geometry
from playground.engine.pool import pool_geometry, window_counts
from playground.engine.tensor import Tensor

__all__ = ["max_pool2d_chwn", "avg_pool2d_chwn"]


def _tiles(g: Geometry) -> bool:
    # Windows that neither overlap nor leave gaps: each input slab is written
    # exactly once, so the backward assigns instead of zero-fill + add.
    return g.s == g.kh == g.kw


def _tiled(a: np.ndarray, g: Geometry, writeable: bool = False) -> np.ndarray:
    """(C, Hp, Wp, N) whose windows tile it -> the view (C, H', KH, W', KW, N):
    ``view[c, y, i, x, j] = a[c, y*KH + i, x*KW + j]``."""
    s_c, s_h, s_w, s_n = a.strides
    return as_strided(a, shape=(a.shape[0], g.oh, g.kh, g.ow, g.kw, a.shape[3]),
                      strides=(s_c, s_h * g.kh, s_h, s_w * g.kw, s_w, s_n), writeable=writeable)


# --- raw NumPy kernels ----------------------------------------------------------------

def _fold_windows(xp: np.ndarray, g: Geometry, combine: np.ufunc) -> np.ndarray:
    """(C, Hp, Wp, N) -> (C, H', W', N): `combine` (np.maximum, np.add) folded over
    the slabs of every window offset, the first slab copied."""
    c, n = xp.shape[0], xp.shape[3]
    out = workspace.take("pool.out", (c, g.oh, g.ow, n), xp.dtype)
    offsets = list(g.offsets())
    rows, cols = g.window(*offsets[0])
    np.copyto(out, xp[:, rows, cols, :])
    for i, j in offsets[1:]:
        rows, cols = g.window(i, j)
        combine(out, xp[:, rows, cols, :], out=out)
    return out


def max_pool_forward_chwn(x: np.ndarray, g: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """x: (C, H, W, N) -> (out (C, H', W', N), xp: the padded input the backward needs)."""
    xp = pad_chwn(x, g, "pool.xpad", fill=-np.inf)
    return _fold_windows(xp, g, np.maximum), xp


def max_pool_backward_chwn(dout: np.ndarray, out: np.ndarray, xp: np.ndarray, g: Geometry,
                           x_shape: tuple[int, ...]) -> np.ndarray:
    """dout: (C, H', W', N) -> dx (C, H, W, N); ties go to the first maximal input."""
    c, n = x_shape[0], x_shape[3]
    tiles = _tiles(g)
    dxp = workspace.take("pool.dxpad", (c, g.hp, g.wp, n), out.dtype, zero=not tiles)
    offsets = list(g.offsets())
    if tiles:
        # Fast path: route by equality alone, then count the hits. Exactly one
        # per window means no ties (the usual case for float activations), and
        # the result is final; otherwise redo with the first-maximum rule below.
        # The windows tile the input, so all of them are one (C, H', KH, W', KW, N)
        # view: three NumPy calls for every offset at once.
        hit6 = workspace.take("pool.hit6", (c, g.oh, g.kh, g.ow, g.kw, n), np.bool_)
        np.equal(_tiled(xp, g), out[:, :, None, :, None, :], out=hit6)
        if np.count_nonzero(hit6) == out.size:
            np.multiply(dout[:, :, None, :, None, :], hit6, out=_tiled(dxp, g, writeable=True))
            return unpad_chwn(dxp, g, x_shape, "pool.dx")
    hit = workspace.take("pool.hit", out.shape, np.bool_)
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


def avg_pool_forward_chwn(x: np.ndarray, g: Geometry) -> tuple[np.ndarray, np.ndarray]:
    """x: (C, H, W, N) -> (out (C, H', W', N), inv_counts (H', W'))."""
    xp = pad_chwn(x, g, "pool.xpad")
    out = _fold_windows(xp, g, np.add)
    inv = (1.0 / window_counts(g)).astype(x.dtype)
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


def _pool_op(x: Tensor | ArrayLike, pool_size: int, stride: int | None, padding: str, kind: str) -> Tensor:
    x = x if isinstance(x, Tensor) else Tensor(x)
    if x.ndim != 4:
        raise ValueError(f"{kind}_pool2d needs a 4-D input, got shape {x.shape}")
    xd = x.data if np.issubdtype(x.dtype, np.floating) else x.data.astype(np.float32)
    g = pool_geometry(xd.shape[1], xd.shape[2], pool_size, stride, padding)
    x_shape = xd.shape
    if kind == "max":
        out, xp = max_pool_forward_chwn(xd, g)
    else:
        out, inv = avg_pool_forward_chwn(xd, g)

    def backward(grad: np.ndarray) -> tuple[np.ndarray]:
        if kind == "max":
            return (max_pool_backward_chwn(grad, out, xp, g, x_shape),)
        return (avg_pool_backward_chwn(grad, inv, g, x_shape),)

    return Tensor.from_op(out, (x,), backward, f"{kind}_pool2d_chwn")


def max_pool2d_chwn(x: Tensor | ArrayLike, pool_size: int = 2, stride: int | None = None, padding: str = "valid") -> Tensor:
    """x: (C, H, W, N) -> (C, H', W', N), the max of each window."""
    return _pool_op(x, pool_size, stride, padding, "max")


def avg_pool2d_chwn(x: Tensor | ArrayLike, pool_size: int = 2, stride: int | None = None, padding: str = "valid") -> Tensor:
    """x: (C, H, W, N) -> (C, H', W', N), the mean of each window's real inputs."""
    return _pool_op(x, pool_size, stride, padding, "avg")
