"""Weight arrays for the UI: summary statistics and first-dense-layer images.

A dense layer reading a flattened 28x28 image has W: (784, U); column u is
what unit u "looks for", shown as a 28x28 picture.
"""

from __future__ import annotations

import numpy as np


def array_stats(a: np.ndarray) -> dict[str, float]:
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0:
        return {"mean": 0.0, "std": 0.0, "min": 0.0, "max": 0.0, "norm": 0.0}
    return {
        "mean": float(a.mean()),
        "std": float(a.std()),
        "min": float(a.min()),
        "max": float(a.max()),
        "norm": float(np.sqrt((a * a).sum())),
    }


def dense_weight_images(w: np.ndarray, image_shape: tuple[int, ...], max_units: int = 64) -> np.ndarray | None:
    """w: (H*W*C, U) -> (min(U, max_units), H, W) in [-1, 1], each unit divided by its max |w|.

    Returns None when the layer's input is not the flattened image (its fan-in
    differs from the image size). Channels are averaged for C > 1.
    """
    w = np.asarray(w, dtype=np.float32)
    if w.ndim != 2 or len(image_shape) < 2:
        return None
    h, wd = int(image_shape[0]), int(image_shape[1])
    c = int(np.prod(image_shape[2:])) if len(image_shape) > 2 else 1
    if w.shape[0] != h * wd * c:
        return None
    units = w[:, : max(0, max_units)]
    imgs = units.T.reshape(-1, h, wd, c).mean(axis=-1)
    scale = np.abs(imgs).max(axis=(1, 2), keepdims=True)
    return (imgs / np.where(scale > 1e-12, scale, 1.0)).astype(np.float32)
