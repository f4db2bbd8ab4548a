"""2-D convolution as a differentiable op: the readable reference, NHWC.

``conv2d(x, w, b=None, stride=1, padding="valid")``:
``x: (N, H, W, C), w: (KH, KW, C, F), b: (F,) -> (N, H', W', F)``, as
``tf.nn.conv2d`` and the course notes lay it out.

Forward, in the notes' notation ``V(x, y) = sum_m sum_n I(x + m, y + n) K(m, n)``
(summed over input channels too, plus a bias per filter):

1. pad the image I with p zeros (SAME) or not at all (VALID);
2. im2col: one row per output pixel holding the KH*KW*C values its window sees;
3. one matmul with the kernel flattened to (KH*KW*C, F), reshaped to (N, H', W', F).

Backward, with dV the gradient of the output as (N*H'*W', F):
``dK = cols.T @ dV``, ``db = sum of dV over pixels``, and ``dcols = dV @ K.T``
which col2im adds back onto the pixels each window read.

This is the version to read; the model's training plan runs the same maths
on batch-innermost arrays (engine/fast/conv.py), and tests prove both agree.
Pooling lives in pool.py and window geometry in im2col.py; both are
re-exported here so ``conv`` is the one import for spatial ops.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from playground.engine.im2col import (  # noqa: F401  (re-exported)
    Geometry,
    col2im,
    conv_output_size,
    im2col,
    pad,
    same_padding,
    unpad,
)
from playground.engine.pool import avg_pool2d, max_pool2d  # noqa: F401  (re-exported)
from playground.engine.tensor import Tensor

__all__ = ["conv2d", "max_pool2d", "avg_pool2d", "conv_output_size", "same_padding", "as_arrays"]


def as_arrays(x: Tensor | ArrayLike, w: Tensor | ArrayLike, b: Tensor | ArrayLike | None
              ) -> tuple[tuple[Tensor, Tensor, Tensor | None], tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    """(Tensors x, w, b) and their data as one float dtype; checks the shapes."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    w = w if isinstance(w, Tensor) else Tensor(w)
    b = b if b is None or isinstance(b, Tensor) else Tensor(b)
    if x.ndim != 4 or w.ndim != 4:
        raise ValueError(f"conv2d needs a 4-D input and a 4-D kernel, got {x.shape} and {w.shape}")
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(np.float32)
    xd, wd = x.data.astype(dtype, copy=False), w.data.astype(dtype, copy=False)
    bd = None if b is None else b.data.astype(dtype, copy=False)
    if bd is not None and bd.shape != (wd.shape[3],):
        raise ValueError(f"conv2d: bias shape {bd.shape} does not match {wd.shape[3]} filters")
    return (x, w, b), (xd, wd, bd)


def conv2d(x: Tensor | ArrayLike, w: Tensor | ArrayLike, b: Tensor | ArrayLike | None = None, stride: int = 1, padding: str = "valid") -> Tensor:
    """x: (N, H, W, C), w: (KH, KW, C, F), b: (F,) | None -> (N, H', W', F)."""
    (x, w, b), (xd, wd, bd) = as_arrays(x, w, b)
    n, h, width, c = xd.shape
    kh, kw, wc, f = wd.shape
    if wc != c:
        raise ValueError(f"conv2d: input has {c} channels but the kernel expects {wc}")
    g = Geometry(h, width, kh, kw, stride, padding)
    cols = im2col(pad(xd, g), g)                     # (N*H'*W', KH*KW*C)
    k_mat = wd.reshape(kh * kw * c, f)                # (KH*KW*C, F)
    out = cols @ k_mat                                # (N*H'*W', F)
    if bd is not None:
        out += bd
    parents = (x, w) if b is None else (x, w, b)

    def backward(grad: np.ndarray) -> tuple[np.ndarray | None, ...]:
        dv = grad.reshape(n * g.oh * g.ow, f)
        dk = (cols.T @ dv).reshape(kh, kw, c, f) if w.requires_grad else None
        dx = None
        if x.requires_grad:
            dcols = dv @ k_mat.T                      # (N*H'*W', KH*KW*C)
            dx = unpad(col2im(dcols.reshape(n, g.oh, g.ow, kh, kw, c), g), g)
        if b is None:
            return dx, dk
        return dx, dk, dv.sum(axis=0) if b.requires_grad else None

    return Tensor.from_op(out.reshape(n, g.oh, g.ow, f), parents, backward, "conv2d")
