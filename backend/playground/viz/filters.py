"""Conv filters as images: arrays normalised per filter, and a PNG grid.

w: (KH, KW, C, F) as the engine stores conv kernels.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def filter_images(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """w: (KH, KW, C, F) -> images (F, KH, KW) in [0, 1], raw ranges (F, 2).

    Input channels are averaged (the usual view for a single-channel input is
    exact). Each filter is stretched to [0, 1] on its own so a small filter is
    still visible; the raw min/max say what the grey levels mean.
    """
    w = np.asarray(w, dtype=np.float32)
    if w.ndim != 4:
        raise ValueError(f"conv kernel must be (KH, KW, C, F), got shape {w.shape}")
    per_filter = np.moveaxis(w.mean(axis=2), -1, 0)  # (F, KH, KW)
    lo = per_filter.min(axis=(1, 2), keepdims=True)
    hi = per_filter.max(axis=(1, 2), keepdims=True)
    span = np.where(hi - lo > 1e-12, hi - lo, 1.0)
    images = (per_filter - lo) / span
    ranges = np.stack([lo[:, 0, 0], hi[:, 0, 0]], axis=1)
    return images.astype(np.float32), ranges.astype(np.float32)


def grid(images: np.ndarray, scale: int = 8, pad: int = 1, columns: int | None = None) -> np.ndarray:
    """images (F, H, W) in [0, 1] -> one uint8 mosaic, `scale` pixels per value, `pad` between."""
    f, h, w = images.shape
    cols = columns or int(np.ceil(np.sqrt(f)))
    rows = int(np.ceil(f / cols))
    cell_h, cell_w = h * scale, w * scale
    out = np.full((rows * (cell_h + pad) + pad, cols * (cell_w + pad) + pad), 64, np.uint8)
    big = np.repeat(np.repeat(images, scale, axis=1), scale, axis=2)
    big = np.round(np.clip(big, 0.0, 1.0) * 255).astype(np.uint8)
    for k in range(f):  # one slice copy per filter, not per pixel
        r, c = divmod(k, cols)
        y, x = pad + r * (cell_h + pad), pad + c * (cell_w + pad)
        out[y : y + cell_h, x : x + cell_w] = big[k]
    return out


def png_bytes(mosaic: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(mosaic).save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def filter_grid_png(w: np.ndarray, scale: int = 8, pad: int = 1) -> bytes:
    """w: (KH, KW, C, F) -> PNG bytes of the normalised filters in a near-square grid."""
    images, _ = filter_images(w)
    return png_bytes(grid(images, scale=scale, pad=pad))
