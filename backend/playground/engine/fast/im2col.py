"""pad / im2col / col2im on batch-innermost arrays, (C, H, W, N).

Same maths as the reference in engine/im2col.py, laid out for speed: with the
batch innermost, every kernel offset ``(i, j)`` selects one strided slab of
the padded input whose rows are long contiguous runs of ``W * N`` values, so
im2col is KH*KW block copies and col2im KH*KW block additions, and arrays come
from the workspace pool instead of being allocated each step.

For stride 1 there is a smaller form, the row columns: the columns of kernel
row 0 taken over every padded input row, ``(KW*C, Hp*OW*N)``. Kernel row i's
columns are the same array shifted by i output rows, ``[:, i*OW*N:][:, :M]``
(a view), so the full im2col, KH times as large, is never written.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided
from numpy.typing import DTypeLike

from playground.engine.fast import workspace
from playground.engine.im2col import Geometry


def pad_chwn(x: np.ndarray, g: Geometry, tag: str, fill: float = 0.0) -> np.ndarray:
    """x: (C, H, W, N) -> (C, Hp, Wp, N) padded with `fill`.

    Without padding this is a view of x (cropped to the rows and columns some
    window reaches); with padding the interior is copied into a reused buffer.
    """
    if g.pad_h == (0, 0) and g.pad_w == (0, 0):
        return x[:, : g.hp, : g.wp, :]
    c, _, _, n = x.shape
    shape = (c, g.hp, g.wp, n)
    rows, cols = g.interior()
    if fill == 0.0:
        # The border of this buffer is zero from its creation and never
        # written, so only the interior is copied each call.
        xp = workspace.take_zeroed_border(f"{tag}:{g.key()}", shape, x.dtype)
    else:
        xp = workspace.take(tag, shape, x.dtype)
        xp.fill(fill)
    xp[:, rows, cols, :] = x[:, : rows.stop - rows.start, : cols.stop - cols.start, :]
    return xp


def unpad_chwn(dxp: np.ndarray, g: Geometry, shape: tuple[int, ...], tag: str) -> np.ndarray:
    """Gradient of `pad_chwn`: (C, Hp, Wp, N) -> (C, H, W, N).

    Returns dxp itself when it already has the input's shape.
    """
    if dxp.shape == tuple(shape):
        return dxp
    rows, cols = g.interior()
    nr, nc = rows.stop - rows.start, cols.stop - cols.start
    dx = workspace.take(tag, shape, dxp.dtype, zero=(nr, nc) != tuple(shape[1:3]))
    dx[:, :nr, :nc, :] = dxp[:, rows, cols, :]
    return dx


def im2col_chwn(xp: np.ndarray, g: Geometry, tag: str) -> np.ndarray:
    """xp: (C, Hp, Wp, N) -> cols (KH*KW*C, OH*OW*N), rows ordered (i, j, c).

    The row order matches ``w.reshape(KH*KW*C, F)`` for w: (KH, KW, C, F).
    ``cols[i, j] = xp[:, i::s, j::s, :]`` (each window's slab) for every
    kernel offset, written as one copy from a strided view of all the slabs
    at once: one NumPy call instead of KH*KW, so the thread holds the GIL
    for less of the step when a batch is split over threads.
    """
    c, _, _, n = xp.shape
    cols = workspace.take(tag, (g.kh, g.kw, c, g.oh, g.ow, n), xp.dtype)
    s_c, s_h, s_w, s_n = xp.strides
    slabs = as_strided(xp, shape=cols.shape, strides=(s_h, s_w, s_c, s_h * g.s, s_w * g.s, s_n),
                       writeable=False)
    np.copyto(cols, slabs)
    return cols.reshape(g.kh * g.kw * c, g.oh * g.ow * n)


def row_columns_chwn(xp: np.ndarray, g: Geometry, tag: str) -> np.ndarray:
    """xp: (C, Hp, Wp, N), stride 1 -> (KW*C, Hp*OW*N), rows ordered (j, c):
    ``rows[(j, c), (y, x, n)] = xp[c, y, x + j, n]`` for every padded row y.

    Kernel row i's im2col block is ``rows[:, i*OW*N : i*OW*N + OH*OW*N]``:
    its entry for output (y, x, n) is ``xp[c, y + i, x + j, n]``.
    """
    c, _, _, n = xp.shape
    rows = workspace.take(tag, (g.kw, c, g.hp, g.ow, n), xp.dtype)
    s_c, s_h, s_w, s_n = xp.strides
    np.copyto(rows, as_strided(xp, shape=rows.shape, strides=(s_w, s_c, s_h, s_w, s_n), writeable=False))
    return rows.reshape(g.kw * c, g.hp * g.ow * n)


def row_block(rows: np.ndarray, g: Geometry, n: int, i: int) -> np.ndarray:
    """Kernel row i's (KW*C, OH*OW*N) block of the row columns (or of their
    gradient): the view i output rows on."""
    row = g.ow * n
    return rows[:, i * row:(i + g.oh) * row]


def row_columns_add(d_rows: np.ndarray, g: Geometry, dxp: np.ndarray) -> None:
    """The adjoint of `row_columns_chwn`: add d_rows (KW*C, Hp*OW*N) into the
    zeroed (C, Hp, Wp, N) array dxp, one slab per kernel column j."""
    c, n = dxp.shape[0], dxp.shape[3]
    d5 = d_rows.reshape(g.kw, c, g.hp, g.ow, n)
    for j in range(g.kw):
        dxp[:, :, j:j + g.ow, :] += d5[j]


def col2im_target(g: Geometry, c: int, n: int, dtype: DTypeLike, tag: str) -> np.ndarray:
    """col2im, the adjoint of `im2col_chwn`, in two parts: this is the
    (C, Hp, Wp, N) array the column gradient is added into: zeroed, unless the windows
    tile it exactly (stride == kernel), when every element is assigned once."""
    return workspace.take(tag, (c, g.hp, g.wp, n), dtype, zero=not _tiles(g))


def col2im_add_row(part: np.ndarray, g: Geometry, i: int, dxp: np.ndarray) -> None:
    """Add kernel row i's column gradient, part (KW*C, OH*OW*N), into dxp:
    each kernel offset adds its slab back, overlapping windows accumulate."""
    c, n = dxp.shape[0], dxp.shape[3]
    d5 = part.reshape(g.kw, c, g.oh, g.ow, n)
    for j in range(g.kw):
        rows, cs = g.window(i, j)
        if _tiles(g):
            dxp[:, rows, cs, :] = d5[j]
        else:
            dxp[:, rows, cs, :] += d5[j]


def _tiles(g: Geometry) -> bool:
    return g.s == g.kh == g.kw
