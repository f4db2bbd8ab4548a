"""Convolution on batch-innermost arrays: ``x: (C, H, W, N) -> (F, H', W', N)``.

The maths of the reference ``engine.conv.conv2d`` (im2col plus one matmul),
with the matmul written the other way round: ``out = K_mat.T @ cols`` with
cols ``(KH*KW*C, H'*W'*N)``, so its output ``(F, H'*W'*N)`` already is the
next layer's input layout. Backward: ``dK = cols @ dV.T``, ``db = dV.sum``,
``dcols = K_mat @ dV`` (one kernel row at a time) and col2im adds each
offset's slab back. Large arrays
come from the workspace pool (reused between steps, never while still
referenced).

Stride-1 layers with many channels (KW*C >= _ROW_SHIFT_ROWS) use the row
columns of fast/im2col.py instead of the full cols: the same products split
by kernel row, ``out = sum_i K_i.T @ rows_i`` with rows_i a shifted view,
``dK_i = rows_i @ dV.T``, and the column gradient gathered back into the
row-column shape before KW slab additions (instead of KH*KW). The columns
written per step shrink KH-fold (10 MB to 2.6 MB for the benchmark CNN's
second layer); the benchmark CNN's training step took 5-13% less time
(medians of alternating processes and of alternating blocks in one
process). Few-channel layers keep the full cols: products with 5 rows, say,
ran slower than the one product they would replace.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from playground.engine.conv import as_arrays
from playground.engine.fast import workspace
from playground.engine.fast.im2col import (
    col2im_add_row,
    col2im_target,
    im2col_chwn,
    pad_chwn,
    row_block,
    row_columns_add,
    row_columns_chwn,
    unpad_chwn,
)
from playground.engine.im2col import Geometry
from playground.engine.tensor import Tensor

__all__ = ["conv2d_chwn", "conv_forward_chwn", "conv_backward_chwn"]


# --- raw NumPy kernels ----------------------------------------------------------

# With few rows in cols (K = KH*KW*C, e.g. 25 for a 5x5 kernel on grey images)
# one big GEMM spends its time packing operands; the same product as a batch of
# GEMMs over column blocks of about this many columns takes OpenBLAS's
# small-matrix path and ran 4-7x faster here (forward and weight gradient).
_SMALL_K = 32
_BLOCK_COLUMNS = 2048
_ROW_SHIFT_ROWS = 32


def uses_row_columns(g: Geometry, c: int) -> bool:
    """Whether a layer's products run on the row columns (see the module docstring)."""
    return g.s == 1 and g.kw * c >= _ROW_SHIFT_ROWS


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


def conv_forward_chwn(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g: Geometry
                      ) -> tuple[np.ndarray, np.ndarray]:
    """x: (C, H, W, N), w: (KH, KW, C, F), b: (F,) | None -> (out (F, H', W', N), cols).

    cols is what the backward needs for dw: the full im2col (KH*KW*C, H'*W'*N),
    or the row columns (KW*C, Hp*W'*N) when `uses_row_columns`.
    """
    c, _, _, n = x.shape
    kh, kw, wc, f = w.shape
    if wc != c:
        raise ValueError(f"conv2d: input has {c} channels but the kernel expects {wc}")
    xp = pad_chwn(x, g, "conv.xpad")
    m = g.oh * g.ow * n
    out = workspace.take("conv.out", (f, m), x.dtype)
    if uses_row_columns(g, c):
        cols = row_columns_chwn(xp, g, "conv.rowcols")
        w_rows = w.reshape(kh, kw * c, f)
        np.matmul(w_rows[0].T, row_block(cols, g, n, 0), out=out)
        part = workspace.take("conv.out_row", (f, m), x.dtype)
        for i in range(1, kh):
            np.matmul(w_rows[i].T, row_block(cols, g, n, i), out=part)
            out += part
        del part
    else:
        cols = im2col_chwn(xp, g, "conv.cols")
        w_mat = w.reshape(kh * kw * c, f)
        k = cols.shape[0]
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
                       need_db: bool = True
                       ) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """dout: (F, H', W', N) -> (dx (C, H, W, N) | None, dw (KH, KW, C, F) | None, db (F,) | None)."""
    kh, kw, c, f = w.shape
    n = x_shape[3]
    dz = np.ascontiguousarray(dout, dtype=cols.dtype).reshape(f, -1)
    m = dz.shape[1]
    by_rows = uses_row_columns(g, c)
    w_rows = w.reshape(kh, kw * c, f)
    dw = db = dx = None
    if need_dw and by_rows:
        dw = np.empty((kh, kw * c, f), cols.dtype)
        for i in range(kh):
            np.matmul(row_block(cols, g, n, i), dz.T, out=dw[i])
        dw = dw.reshape(kh, kw, c, f)
    elif need_dw:
        # (K, M) @ (M, F): BLAS reads both operands transposed-in-place, and the
        # result is already w's memory order (faster here than dz @ cols.T).
        k = cols.shape[0]
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
        # dcols = K_mat @ dV one kernel row at a time, each added back before
        # the next: a buffer of KW*C rows instead of the full KH*KW*C, which
        # would be the largest array of the whole step.
        part = workspace.take("conv.dcols_row", (kw * c, m), cols.dtype)
        if by_rows:
            # (zeroed even where windows tile the input: the slabs are added)
            dxp = workspace.take("conv.dxpad", (c, g.hp, g.wp, n), cols.dtype, zero=True)
            # Kernel row i's share lands i output rows further on in the row
            # columns' gradient; contiguous-row additions, then KW slabs.
            d_rows = workspace.take("conv.drows", (kw * c, g.hp * g.ow * n), cols.dtype)
            np.matmul(w_rows[0], dz, out=row_block(d_rows, g, n, 0))
            d_rows[:, m:] = 0
            for i in range(1, kh):
                np.matmul(w_rows[i], dz, out=part)
                block = row_block(d_rows, g, n, i)
                block += part
            row_columns_add(d_rows, g, dxp)
            del d_rows
        else:
            dxp = col2im_target(g, c, n, cols.dtype, "conv.dxpad")
            for i in range(kh):
                np.matmul(w_rows[i], dz, out=part)
                col2im_add_row(part, g, i, dxp)
        del part
        dx = unpad_chwn(dxp, g, x_shape, "conv.dx")
    return dx, dw, db


def conv2d_chwn(x: Tensor | ArrayLike, w: Tensor | ArrayLike, b: Tensor | ArrayLike | None = None, stride: int = 1,
                padding: str = "valid") -> Tensor:
    """x: (C, H, W, N), w: (KH, KW, C, F), b: (F,) | None -> (F, H', W', N)."""
    (x, w, b), (xd, wd, bd) = as_arrays(x, w, b)
    wd = np.ascontiguousarray(wd)
    g = Geometry(xd.shape[1], xd.shape[2], wd.shape[0], wd.shape[1], stride, padding)
    out, cols = conv_forward_chwn(xd, wd, bd, g)
    x_shape = xd.shape
    parents = (x, w) if b is None else (x, w, b)

    def backward(grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        dx, dw, db = conv_backward_chwn(grad, cols, wd, g, x_shape, need_dx=x.requires_grad,
                                        need_dw=w.requires_grad,
                                        need_db=b is not None and b.requires_grad)
        return (dx, dw) if b is None else (dx, dw, db)

    return Tensor.from_op(out, parents, backward, "conv2d_chwn")
