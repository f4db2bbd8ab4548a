"""2-D convolution as a differentiable op: im2col plus one matmul.

Public ops (all take and return Tensors, arrays are wrapped as constants):

- ``conv2d(x, w, b=None, stride=1, padding="valid")``:
  ``x: (N, H, W, C), w: (KH, KW, C, F), b: (F,) -> (N, H', W', F)``, NHWC as in
  ``tf.nn.conv2d`` and the course notes.
- ``conv2d_chwn(x, w, b, stride, padding)``: the same on batch-innermost
  tensors, ``x: (C, H, W, N) -> (F, H', W', N)``, ``w`` still ``(KH, KW, C, F)``.
  The model keeps activations in this layout between consecutive
  conv/pool/activation layers: im2col then copies long contiguous runs and the
  matmul output ``(F, H'*W'*N)`` already is the next layer's input layout.

Pooling lives in pool.py and window geometry in im2col.py; both are re-exported
here so ``conv`` is the one import for spatial ops.

Forward, per kernel offset (i, j): ``cols[i, j] = xpad[:, i::s, j::s, :]``, then
``out = w_mat.T @ cols`` with ``w_mat = w.reshape(KH*KW*C, F)``. Backward:
``dw = cols @ dout.T``, ``db = dout.sum``, ``dcols = w_mat @ dout`` and col2im adds
each offset's slab back. Large arrays come from the workspace pool (reused
between steps, never while still referenced).
"""

from __future__ import annotations

import numpy as np

from playground.engine import workspace
from playground.engine.im2col import (  # noqa: F401  (re-exported)
    Geometry,
    col2im_chwn,
    conv_output_size,
    im2col_chwn,
    pad_chwn,
    same_padding,
    unpad_chwn,
)
from playground.engine.pool import (  # noqa: F401  (re-exported)
    avg_pool2d,
    avg_pool2d_chwn,
    max_pool2d,
    max_pool2d_chwn,
)
from playground.engine.tensor import Tensor

__all__ = [
    "conv2d", "conv2d_chwn", "max_pool2d", "max_pool2d_chwn", "avg_pool2d",
    "avg_pool2d_chwn", "conv_output_size", "same_padding",
    "conv_forward_chwn", "conv_backward_chwn", "nhwc_to_chwn", "chwn_to_nhwc",
]


# --- raw NumPy kernels ----------------------------------------------------------

# With few rows in cols (K = KH*KW*C, e.g. 25 for a 5x5 kernel on grey images)
# one big GEMM spends its time packing operands; the same product as a batch of
# GEMMs over column blocks of about this many columns takes OpenBLAS's
# small-matrix path and ran 4-7x faster here (forward and weight gradient).
_SMALL_K = 32
_BLOCK_COLUMNS = 2048


def _column_blocks(g: Geometry, k: int, n: int) -> int:
    """How many equal column blocks (whole output rows each) to split the
    (K, H'*W'*N) products into; 1 means one plain GEMM."""
    row = g.ow * n
    if k > _SMALL_K or g.oh * row < 2 * _BLOCK_COLUMNS:
        return 1
    rows = max(1, _BLOCK_COLUMNS // row)
    while g.oh % rows:
        rows -= 1
    return g.oh // rows


def conv_forward_chwn(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g: Geometry):
    """x: (C, H, W, N), w: (KH, KW, C, F), b: (F,) | None -> (out (F, H', W', N), cols).

    cols (KH*KW*C, H'*W'*N) is what the backward needs for dw.
    """
    c, _, _, n = x.shape
    kh, kw, wc, f = w.shape
    if wc != c:
        raise ValueError(f"conv2d: input has {c} channels but the kernel expects {wc}")
    xp = pad_chwn(x, g, "conv.xpad")
    cols = im2col_chwn(xp, g, "conv.cols")
    w_mat = w.reshape(kh * kw * c, f)
    k, m = cols.shape
    out = workspace.take("conv.out", (f, m), x.dtype)
    nb = _column_blocks(g, k, n)
    if nb == 1:
        np.matmul(w_mat.T, cols, out=out)
    else:
        np.matmul(w_mat.T, cols.reshape(k, nb, m // nb).transpose(1, 0, 2),
                  out=out.reshape(f, nb, m // nb).transpose(1, 0, 2))
    if b is not None:
        out += b[:, None]
    return out.reshape(f, g.oh, g.ow, n), cols


def conv_backward_chwn(dout: np.ndarray, cols: np.ndarray, w: np.ndarray, g: Geometry,
                       x_shape: tuple[int, ...], need_dx: bool = True, need_dw: bool = True,
                       need_db: bool = True):
    """dout: (F, H', W', N) -> (dx (C, H, W, N) | None, dw (KH, KW, C, F) | None, db (F,) | None)."""
    kh, kw, c, f = w.shape
    n = x_shape[3]
    dz = np.ascontiguousarray(dout, dtype=cols.dtype).reshape(f, -1)
    dw = db = dx = None
    if need_dw:
        # (K, M) @ (M, F): BLAS reads both operands transposed-in-place, and the
        # result is already w's memory order (faster here than dz @ cols.T).
        k, m = cols.shape
        nb = _column_blocks(g, k, n)
        if nb == 1:
            dw = np.matmul(cols, dz.T)
        else:
            dw = np.matmul(cols.reshape(k, nb, m // nb).transpose(1, 0, 2),
                           dz.reshape(f, nb, m // nb).transpose(1, 2, 0)).sum(axis=0)
        dw = dw.reshape(kh, kw, c, f)
    if need_db:
        db = dz.sum(axis=1)
    if need_dx:
        dcols = workspace.take("conv.dcols", cols.shape, cols.dtype)
        np.matmul(w.reshape(kh * kw * c, f), dz, out=dcols)
        dxp = col2im_chwn(dcols, g, c, n, "conv.dxpad")
        del dcols
        dx = unpad_chwn(dxp, g, x_shape, "conv.dx")
    return dx, dw, db


def nhwc_to_chwn(x: np.ndarray, tag: str) -> np.ndarray:
    """(N, H, W, C) -> contiguous (C, H, W, N) in a reused buffer."""
    out = workspace.take(tag, (x.shape[3], x.shape[1], x.shape[2], x.shape[0]), x.dtype)
    np.copyto(out, x.transpose(3, 1, 2, 0))
    return out


def chwn_to_nhwc(x: np.ndarray) -> np.ndarray:
    """(C, H, W, N) -> a new contiguous (N, H, W, C) array."""
    return np.ascontiguousarray(x.transpose(3, 1, 2, 0))


# --- differentiable ops ---------------------------------------------------------------

def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _conv_op(x, w, b, stride, padding, nhwc: bool) -> Tensor:
    x, w = _tensor(x), _tensor(w)
    b = None if b is None else _tensor(b)
    if x.ndim != 4 or w.ndim != 4:
        raise ValueError(f"conv2d needs a 4-D input and a 4-D kernel, got {x.shape} and {w.shape}")
    xd = x.data
    dtype = xd.dtype if np.issubdtype(xd.dtype, np.floating) else np.dtype(np.float32)
    xc = nhwc_to_chwn(xd, "conv.in") if nhwc else xd
    if xc.dtype != dtype:
        xc = xc.astype(dtype)
    wd = np.ascontiguousarray(w.data, dtype=dtype)
    bd = None if b is None else np.asarray(b.data, dtype=dtype)
    if bd is not None and bd.shape != (wd.shape[3],):
        raise ValueError(f"conv2d: bias shape {bd.shape} does not match {wd.shape[3]} filters")
    g = Geometry(xc.shape[1], xc.shape[2], wd.shape[0], wd.shape[1], stride, padding)
    out, cols = conv_forward_chwn(xc, wd, bd, g)
    x_shape = xc.shape
    parents = (x, w) if b is None else (x, w, b)

    def backward(grad):
        dout = grad.transpose(3, 1, 2, 0) if nhwc else grad
        dx, dw, db = conv_backward_chwn(dout, cols, wd, g, x_shape, need_dx=x.requires_grad,
                                        need_dw=w.requires_grad, need_db=b is not None and b.requires_grad)
        if dx is not None and nhwc:
            dx = chwn_to_nhwc(dx)
        return (dx, dw) if b is None else (dx, dw, db)

    data = chwn_to_nhwc(out) if nhwc else out
    return Tensor.from_op(data, parents, backward, "conv2d" if nhwc else "conv2d_chwn")


def conv2d(x, w, b=None, stride: int = 1, padding: str = "valid") -> Tensor:
    """x: (N, H, W, C), w: (KH, KW, C, F), b: (F,) | None -> (N, H', W', F)."""
    return _conv_op(x, w, b, stride, padding, nhwc=True)


def conv2d_chwn(x, w, b=None, stride: int = 1, padding: str = "valid") -> Tensor:
    """x: (C, H, W, N), w: (KH, KW, C, F), b: (F,) | None -> (F, H', W', N)."""
    return _conv_op(x, w, b, stride, padding, nhwc=False)
