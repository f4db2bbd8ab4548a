"""Window geometry and the im2col / col2im kernels on batch-innermost arrays.

Geometry follows the course notes and ``tf.nn.conv2d``: output size
``(n - k + 2p) / s + 1`` (floored); VALID means no padding, SAME pads a total
of ``max((ceil(n/s) - 1) * s + k - n, 0)`` with the smaller half before.

The kernels work on ``(C, H, W, N)`` arrays, batch innermost. Every kernel
offset ``(i, j)`` then selects one strided slab of the padded input whose rows
are long contiguous runs of ``W * N`` values, so im2col is KH*KW block copies
and col2im is KH*KW block additions - a loop over kernel offsets, never over
samples or pixels, and no ``np.add.at`` scatter.
"""

from __future__ import annotations

import numpy as np

from playground.engine import workspace

PADDINGS = ("valid", "same")


def check_padding(padding: str) -> str:
    """Lower-cased padding name, or ValueError."""
    p = str(padding).lower()
    if p not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    return p


def same_padding(n: int, k: int, s: int) -> tuple[int, int]:
    """TensorFlow's SAME padding of one axis: (before, after), smaller half before."""
    if n < 1 or k < 1 or s < 1:
        raise ValueError(f"need n, k, s >= 1, got n={n}, k={k}, s={s}")
    total = max((-(-n // s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def axis_padding(n: int, k: int, s: int, padding: str) -> tuple[int, int]:
    """(before, after) padding of one axis for "valid" or "same"."""
    return same_padding(n, k, s) if check_padding(padding) == "same" else (0, 0)


def conv_output_size(n: int, k: int, s: int, padding: str) -> int:
    """Output length of a window of size k, stride s over n inputs.

    VALID: floor((n - k) / s) + 1, and ValueError if k > n.
    SAME: ceil(n / s), the notes' formula with p = (before + after) / 2.
    """
    before, after = axis_padding(n, k, s, padding)
    if n + before + after < k:
        raise ValueError(f"kernel {k} is larger than its input {n} with {padding} padding")
    return (n + before + after - k) // s + 1


class Geometry:
    """Everything about one (input shape, kernel, stride, padding) combination."""

    def __init__(self, h: int, w: int, kh: int, kw: int, stride: int, padding: str):
        if int(stride) != stride or stride < 1:
            raise ValueError(f"stride must be a positive integer, got {stride!r}")
        self.h, self.w, self.kh, self.kw, self.s = h, w, kh, kw, int(stride)
        self.padding = check_padding(padding)
        self.oh = conv_output_size(h, kh, self.s, self.padding)
        self.ow = conv_output_size(w, kw, self.s, self.padding)
        self.pad_h = axis_padding(h, kh, self.s, self.padding)
        self.pad_w = axis_padding(w, kw, self.s, self.padding)
        # Only the part of the padded input that some window touches matters;
        # trailing rows/cols no window reaches are cut off.
        self.hp = (self.oh - 1) * self.s + kh
        self.wp = (self.ow - 1) * self.s + kw
        self.padded = self.pad_h != (0, 0) or self.pad_w != (0, 0) or self.hp != h or self.wp != w

    def key(self) -> str:
        return f"{self.h}x{self.w}k{self.kh}x{self.kw}s{self.s}p{self.pad_h}{self.pad_w}"

    def interior(self) -> tuple[slice, slice]:
        """Where the (cropped) input sits inside the padded array."""
        top, left = self.pad_h[0], self.pad_w[0]
        return (slice(top, top + min(self.h, self.hp - top)),
                slice(left, left + min(self.w, self.wp - left)))

    def window(self, i: int, j: int) -> tuple[slice, slice]:
        """The strided slab of the padded array that kernel offset (i, j) reads."""
        s = self.s
        return slice(i, i + (self.oh - 1) * s + 1, s), slice(j, j + (self.ow - 1) * s + 1, s)

    def offsets(self):
        return ((i, j) for i in range(self.kh) for j in range(self.kw))


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
    """
    c, _, _, n = xp.shape
    cols = workspace.take(tag, (g.kh, g.kw, c, g.oh, g.ow, n), xp.dtype)
    for i, j in g.offsets():
        rows, cs = g.window(i, j)
        cols[i, j] = xp[:, rows, cs, :]
    return cols.reshape(g.kh * g.kw * c, g.oh * g.ow * n)


def col2im_chwn(dcols: np.ndarray, g: Geometry, c: int, n: int, tag: str) -> np.ndarray:
    """Adjoint of `im2col_chwn`: dcols (KH*KW*C, OH*OW*N) -> (C, Hp, Wp, N).

    Each kernel offset adds its slab back; overlapping windows accumulate.
    When windows do not overlap and tile the padded array (stride == kernel),
    plain assignment suffices and the zero fill is skipped.
    """
    d6 = dcols.reshape(g.kh, g.kw, c, g.oh, g.ow, n)
    tiles = g.s == g.kh == g.kw
    dxp = workspace.take(tag, (c, g.hp, g.wp, n), dcols.dtype, zero=not tiles)
    for i, j in g.offsets():
        rows, cs = g.window(i, j)
        if tiles:
            dxp[:, rows, cs, :] = d6[i, j]
        else:
            dxp[:, rows, cs, :] += d6[i, j]
    return dxp
