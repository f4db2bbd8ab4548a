"""Window geometry and the reference im2col / col2im, NHWC.

Geometry follows the course notes and ``tf.nn.conv2d``: along each axis the
output size is ``w' = (w - f + 2p) / s + 1`` (floored). VALID means p = 0;
SAME pads a total of ``max((ceil(w/s) - 1) * s + f - w, 0)`` with the smaller
half before, so ``w' = ceil(w / s)``.

im2col lays every window a kernel of size (KH, KW) sees out as one row:
``cols[(n, y, x), (m, k, c)] = I_pad[n, y*s + m, x*s + k, c]`` - the notes'
``V(x, y) = sum_m sum_n I(x + m, y + n) K(m, n)`` then is one matrix product
``cols @ K.reshape(KH*KW*C, F)``. col2im is its adjoint: each kernel offset
adds its slab of window gradients back, a loop over kernel offsets only.

These are the readable versions; engine/fast/ has the batch-innermost kernels
the training plan uses, tested against these.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

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
    """Everything about one (input size, kernel, stride, padding) combination."""

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

    def offsets(self) -> Iterator[tuple[int, int]]:
        return ((i, j) for i in range(self.kh) for j in range(self.kw))


# --- reference kernels, NHWC ------------------------------------------------------

def pad(x: np.ndarray, g: Geometry, fill: float = 0.0) -> np.ndarray:
    """x: (N, H, W, C) -> I_pad (N, Hp, Wp, C): p rows/cols of `fill` around it."""
    padded = np.pad(x, ((0, 0), g.pad_h, g.pad_w, (0, 0)), constant_values=fill)
    return padded[:, : g.hp, : g.wp, :]


def unpad(dxp: np.ndarray, g: Geometry) -> np.ndarray:
    """Gradient of `pad`: (N, Hp, Wp, C) -> (N, H, W, C); the border's share is dropped."""
    n, _, _, c = dxp.shape
    full = np.zeros((n, g.h + sum(g.pad_h), g.w + sum(g.pad_w), c), dxp.dtype)
    full[:, : g.hp, : g.wp, :] = dxp
    top, left = g.pad_h[0], g.pad_w[0]
    return full[:, top:top + g.h, left:left + g.w, :]


def windows(xp: np.ndarray, g: Geometry) -> np.ndarray:
    """I_pad: (N, Hp, Wp, C) -> a view (N, H', W', KH, KW, C) of every window.

    ``windows[n, y, x, m, k, c] = I_pad[n, y*s + m, x*s + k, c]``, no copy.
    """
    view = sliding_window_view(xp, (g.kh, g.kw), axis=(1, 2))   # (N, Hp-KH+1, Wp-KW+1, C, KH, KW)
    return view[:, :: g.s, :: g.s].transpose(0, 1, 2, 4, 5, 3)


def im2col(xp: np.ndarray, g: Geometry) -> np.ndarray:
    """I_pad: (N, Hp, Wp, C) -> cols (N*H'*W', KH*KW*C), one row per window.

    Column order (m, k, c) matches ``K.reshape(KH*KW*C, F)`` for K: (KH, KW, C, F).
    """
    n, c = xp.shape[0], xp.shape[3]
    return windows(xp, g).reshape(n * g.oh * g.ow, g.kh * g.kw * c)


def col2im(dwin: np.ndarray, g: Geometry) -> np.ndarray:
    """Adjoint of `windows`: dwin (N, H', W', KH, KW, C) -> dI_pad (N, Hp, Wp, C).

    Every input pixel receives the gradient of each window it appeared in;
    overlapping windows add up. One loop over the KH*KW kernel offsets.
    """
    n, c = dwin.shape[0], dwin.shape[5]
    dxp = np.zeros((n, g.hp, g.wp, c), dwin.dtype)
    for m, k in g.offsets():
        rows, cols = g.window(m, k)
        dxp[:, rows, cols, :] += dwin[:, :, :, m, k, :]
    return dxp
